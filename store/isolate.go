package store

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/golive/golive/internal/launch"
)

// UpdateEach is Update for several changes to one launch that share a
// transaction, and so one sync to disk, but not their fate. The changes run
// in order, each on the launch as the changes stored before it left it.
// A change that returns an error, panics, changes the launch's id or
// changes it without an audit event leaves nothing of itself: neither rows
// nor audit rows nor posts, and the changes after it see the launch as it was before
// it. The others are stored with their events, all stamped with one
// timestamp, now.
//
// errs holds each change's own error, nil for a change that was stored once
// err is nil. err is the transaction's: when it is not nil nothing at all
// was stored.
func (s *Store) UpdateEach(ctx context.Context, id int64, changes []func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (errs []error, err error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("update launch %d: begin: %w", id, err)
	}
	defer tx.Rollback()

	now := s.now()
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
	errs = make([]error, len(changes))
	var events []launch.Event
	var posts []launch.Post
	for i, fn := range changes {
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
		// Nothing to store: no change was accepted, or none changed anything.
		return errs, nil
	}
	if err := s.commitChanges(ctx, tx, id, now, before, cur, events, posts); err != nil {
		return nil, err
	}
	return errs, nil
}

// applyOne runs one change of UpdateEach on l, which is the launch cur
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
	if after, err = encodeOver(l, spare, prev); err != nil {
		return nil, snapshot{}, fmt.Errorf("update launch %d: %w", id, err)
	}
	// As in Update: a change that says nothing of itself is a bug.
	if len(events) == 0 && !cur.stored(after) {
		return nil, snapshot{}, fmt.Errorf("update launch %d: a change without an audit event", id)
	}
	return events, after, nil
}
