package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/golive/golive/internal/launch"
)

// UpdateMany is Update for the changes of several launches that share a
// transaction, and so one sync to disk, but not their fate. Each launch's
// changes run in order, each on the launch as the changes stored before it
// left it. A change that returns an error, panics, changes the launch's id
// or changes it without an audit event leaves nothing of itself: neither
// rows nor audit rows nor posts, and the changes after it see the launch as it was
// before it. A launch whose changes cannot be stored at all (it does not
// exist, or writing its rows fails) fails alone: its writes are undone and
// the other launches' changes are stored. Everything stored is stamped with
// one timestamp, now.
//
// errs[i][j] is the own error of change j of batch[i], nil for a change
// that was stored once err is nil. err is the transaction's: when it is not
// nil nothing at all was stored. A launch given twice is refused, as the
// second would see the first's rows uncommitted.
func (s *Store) UpdateMany(ctx context.Context, batch []launch.Changes) (errs [][]error, err error) {
	err = s.retry(ctx, func() error {
		errs, err = s.updateMany(ctx, batch)
		return err
	})
	return errs, err
}

func (s *Store) updateMany(ctx context.Context, batch []launch.Changes) (errs [][]error, err error) {
	seen := make(map[int64]bool, len(batch))
	for _, lc := range batch {
		if seen[lc.ID] {
			return nil, fmt.Errorf("update launches: launch %d is given twice", lc.ID)
		}
		seen[lc.ID] = true
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("update %s: begin: %w", launchesOf(batch), err)
	}
	defer tx.Rollback()
	ids := make([]int64, len(batch))
	for i, lc := range batch {
		ids[i] = lc.ID
	}
	if err := s.lockLaunches(ctx, tx, ids...); err != nil {
		return nil, err
	}

	now := s.now()
	errs = make([][]error, len(batch))
	writes := make([]launchWrite, 0, len(batch))
	for i, lc := range batch {
		errs[i] = make([]error, len(lc.Fns))
		w, err := s.applyEach(ctx, tx, now, lc, errs[i])
		if err == nil && w != nil {
			var txErr error
			if err, txErr = isolated(ctx, tx, func() error { return w.write(ctx, tx, now) }); txErr != nil {
				return nil, fmt.Errorf("update launch %d: %w", lc.ID, txErr)
			}
		}
		if err != nil {
			// The launch fails whole; a change that failed on its own
			// keeps its own error.
			for j := range errs[i] {
				if errs[i][j] == nil {
					errs[i][j] = err
				}
			}
			continue
		}
		if w != nil {
			writes = append(writes, *w)
		}
	}
	if len(writes) == 0 {
		// Nothing to store: no change was accepted, or none changed anything.
		return errs, nil
	}
	if err := s.commit(tx, writes...); err != nil {
		return nil, err
	}
	return errs, nil
}

// launchesOf names the launches of a batch for an error.
func launchesOf(batch []launch.Changes) string {
	if len(batch) == 1 {
		return fmt.Sprintf("launch %d", batch[0].ID)
	}
	return fmt.Sprintf("%d launches", len(batch))
}

// applyEach runs lc's changes in tx, each isolated (see UpdateMany),
// setting errs[j] to change j's own error. It returns what the accepted
// changes leave to write, nil when that is nothing. Its error is the
// launch's: none of its changes can be stored.
func (s *Store) applyEach(ctx context.Context, tx *sql.Tx, now time.Time, lc launch.Changes, errs []error) (*launchWrite, error) {
	id := lc.ID
	before, l, err := s.loadLaunch(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	// cur is the launch as the changes accepted so far left it: the state
	// a failed change is undone to, and in the end the rows to write. ours
	// tells whether cur was encoded here; before may be the cache's, which
	// must not be written over, but the rows cur replaces become spare,
	// for the next change to be encoded into.
	cur := before
	var spare snapshot
	ours := false
	var events []launch.Event
	var posts []launch.Post
	for i, fn := range lc.Fns {
		var prev snapshot
		if ours {
			prev = cur
		}
		evs, after, err := applyOne(fn, l, cur, spare, prev, now)
		if errs[i] = err; err == nil {
			if ours {
				spare = cur
			}
			cur, ours = after, true
			events = append(events, evs...)
			// Taken now: a later change that fails starts again from a
			// fresh launch, which has none.
			posts = append(posts, l.TakePosts()...)
			continue
		}
		// fn may have changed l before it failed: start again from the
		// rows, which nothing outside this loop holds.
		if l, err = cur.decode(id); err != nil {
			return nil, fmt.Errorf("update launch %d: undo a failed change: %w", id, err)
		}
	}
	if len(events) == 0 && len(posts) == 0 && before.stored(cur) {
		return nil, nil
	}
	return &launchWrite{id: id, before: before, after: cur, events: events, posts: posts}, nil
}

// isolated runs write, which writes in tx, inside a savepoint: when write
// fails, what it wrote is undone and tx goes on without it. writeErr is
// write's error; txErr, that the savepoint failed, and tx with it.
func isolated(ctx context.Context, tx *sql.Tx, write func() error) (writeErr, txErr error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT launch_write"); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	writeErr = write()
	if writeErr != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO launch_write"); err != nil {
			return writeErr, fmt.Errorf("undo a failed write (%v): %w", writeErr, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE launch_write"); err != nil {
		return writeErr, fmt.Errorf("release savepoint: %w", err)
	}
	return writeErr, nil
}

// applyOne runs one change of UpdateMany on l, which is the launch cur
// describes, and returns its events and the rows it leaves, encoded over
// spare and prev (see encodeOver). A panic (a bug) fails this change alone,
// like an error, with the stack for the log.
func applyOne(fn func(l *launch.Launch, now time.Time) ([]launch.Event, error), l *launch.Launch, cur, spare, prev snapshot, now time.Time) (events []launch.Event, after snapshot, err error) {
	id := l.ID
	defer func() {
		if r := recover(); r != nil {
			events, after, err = nil, snapshot{}, fmt.Errorf("update launch %d: the change panicked: %v\n%s", id, r, debug.Stack())
		}
	}()
	events, err = fn(l, now)
	if err != nil {
		return nil, snapshot{}, err
	}
	if l.ID != id {
		return nil, snapshot{}, fmt.Errorf("update launch %d: the change set its id to %d", id, l.ID)
	}
	if err := unsaid(l); err != nil {
		return nil, snapshot{}, err
	}
	if after, err = encodeOver(l, spare, prev); err != nil {
		return nil, snapshot{}, fmt.Errorf("update launch %d: %w", id, err)
	}
	// As in Update: a change that says nothing of itself is a bug.
	if len(events) == 0 && !cur.stored(after) {
		return nil, snapshot{}, fmt.Errorf("update launch %d: a change without an audit event", id)
	}
	return events, after, nil
}
