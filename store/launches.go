package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/golive/golive/internal/launch"
)

// CreateLaunch stores a new launch with its checklist and a "create" audit
// row, then sets l.ID and l.CreatedAt. It fails with ECONFLICT when the
// channel already has an active launch, and changes nothing then.
func (s *Store) CreateLaunch(ctx context.Context, l *launch.Launch, by string) error {
	return s.createLaunch(ctx, l, by, nil)
}

// createLaunch is CreateLaunch, running also (when not nil) in the same
// transaction once the launch has its id.
func (s *Store) createLaunch(ctx context.Context, l *launch.Launch, by string, also func(tx *sql.Tx, id int64, now time.Time) error) error {
	if l == nil {
		return errors.New("create launch: no launch given")
	}
	if err := l.Validate(); err != nil {
		return err
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create launch: begin: %w", err)
	}
	defer tx.Rollback()

	now := s.now()
	created := *l
	created.CreatedAt = now
	if created.DatedAt.IsZero() {
		created.DatedAt = now
	}
	snap, err := encode(&created)
	if err != nil {
		return fmt.Errorf("create launch: %w", err)
	}
	var id int64
	err = tx.QueryRowContext(ctx, insertLaunch, snap.launch.args()...).Scan(&id)
	if isUniqueViolation(err) {
		// Read outside tx: PostgreSQL takes nothing more in a transaction
		// once a statement of it failed.
		tx.Rollback()
		return activeLaunchConflict(ctx, s.reader, l.TeamID, l.ChannelID)
	}
	if err != nil {
		return fmt.Errorf("create launch: %w", err)
	}
	// The insert wrote the launch row but for what columns of their own write.
	inserted := snap.launch
	inserted.removed, inserted.highWater = "", 0
	if err := writeChanges(ctx, tx, id, snapshot{launch: inserted}, snap); err != nil {
		return fmt.Errorf("create launch: %w", err)
	}
	ev := launch.Event{
		Actor: by, Kind: launch.KindCreate, Launch: l.Name,
		After: fmt.Sprintf("launch on %s (%s), %d items", l.When(), l.Timezone, len(snap.items)),
	}
	if err := appendAudit(ctx, tx, id, now, []launch.Event{ev}); err != nil {
		return fmt.Errorf("create launch: %w", err)
	}
	version, err := launchVersion(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("create launch: %w", err)
	}
	if also != nil {
		if err := also(tx, id, now); err != nil {
			return fmt.Errorf("create launch: %w", err)
		}
	}
	if err := writePosts(ctx, tx, id, now, l.TakePosts()); err != nil {
		return fmt.Errorf("create launch: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create launch: commit: %w", err)
	}
	s.cache.put(id, version, snap)
	l.ID, l.CreatedAt, l.DatedAt = id, now, created.DatedAt
	return nil
}

// activeLaunchConflict explains which launch holds the channel.
func activeLaunchConflict(ctx context.Context, q querier, teamID, channelID string) error {
	var name, date string
	err := q.QueryRowContext(ctx,
		`SELECT name, date FROM launches WHERE team_id = ? AND channel_id = ? AND archived = 0`,
		teamID, channelID).Scan(&name, &date)
	if err != nil {
		return launch.Errorf(launch.ECONFLICT, "This channel already has an active launch, and a channel can have only one. Archive it first, or start the new one in another channel.")
	}
	return launch.Errorf(launch.ECONFLICT,
		"This channel already has an active launch, “%s” on %s, and a channel can have only one. Archive it first, or start the new one in another channel.",
		name, date)
}

// LaunchByChannel returns the channel's active launch, or ENOTFOUND.
func (s *Store) LaunchByChannel(ctx context.Context, teamID, channelID string) (*launch.Launch, error) {
	var l *launch.Launch
	err := s.read(ctx, func(tx *sql.Tx) error {
		var id, version int64
		err := tx.QueryRowContext(ctx, `SELECT id, version FROM launches JOIN launch_versions ON launch_id = id
WHERE team_id = ? AND channel_id = ? AND archived = 0`, teamID, channelID).Scan(&id, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return launch.Errorf(launch.ENOTFOUND, "No active launch in this channel. Start one with `/golive new \"Name\" 2026-12-01`.")
		}
		if err != nil {
			return fmt.Errorf("find launch of channel %s: %w", channelID, err)
		}
		_, l, err = s.launchAt(ctx, tx, id, version)
		return err
	})
	return l, err
}

// LaunchByID returns a launch, archived or not, or ENOTFOUND.
func (s *Store) LaunchByID(ctx context.Context, id int64) (*launch.Launch, error) {
	var l *launch.Launch
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		_, l, err = s.loadLaunch(ctx, tx, id)
		return err
	})
	return l, err
}

// ActiveLaunches returns every launch that is not archived, oldest first.
func (s *Store) ActiveLaunches(ctx context.Context) ([]*launch.Launch, error) {
	// The condition only repeats what every active launch is.
	return s.activeLaunchesWhere(ctx, "archived = ?", false)
}

// LaunchesOfUser returns the team's launches that are not archived and that
// user takes part in: created, owns a section, group or item of, ticked an
// item of, or holds a role in; oldest first. It is what the App Home shows,
// found through indexes by person (migration 0020), so opening the Home
// loads that person's launches only, not every launch of the team.
func (s *Store) LaunchesOfUser(ctx context.Context, teamID, user string) ([]*launch.Launch, error) {
	if user == "" {
		return nil, nil
	}
	return s.activeLaunchesWhere(ctx, launchesOfUserCond, teamID, teamID, user, user, user, user, user, user)
}

// launchesOfUserCond selects the launches of a team (the first parameter) a
// user (the others) takes part in. Each test against the empty string lets
// SQLite use the partial index of people, which leaves out unassigned rows.
const launchesOfUserCond = `team_id = ? AND id IN (
	SELECT id FROM launches WHERE team_id = ? AND creator = ? AND archived = 0
	UNION SELECT launch_id FROM items WHERE owner = ? AND owner <> ''
	UNION SELECT launch_id FROM items WHERE done_by = ? AND done_by <> ''
	UNION SELECT launch_id FROM sections WHERE owner = ? AND owner <> ''
	UNION SELECT launch_id FROM section_groups WHERE owner = ? AND owner <> ''
	UNION SELECT launch_id FROM roles WHERE holder = ? AND holder <> '')`

// activeLaunchesQuery selects the ids and versions of the active launches
// matching cond.
func activeLaunchesQuery(cond string) string {
	return `SELECT id, version FROM launches JOIN launch_versions ON launch_id = id
WHERE archived = 0 AND ` + cond + ` ORDER BY id`
}

// activeLaunchesWhere returns the launches that are not archived and match
// cond (a condition on launches' columns with parameters args), oldest first.
func (s *Store) activeLaunchesWhere(ctx context.Context, cond string, args ...any) ([]*launch.Launch, error) {
	var out []*launch.Launch
	err := s.read(ctx, func(tx *sql.Tx) error {
		type idVersion struct{ id, version int64 }
		found, err := queryRowsArgs(ctx, tx, activeLaunchesQuery(cond), args,
			func(rows *sql.Rows, r *idVersion) error { return rows.Scan(&r.id, &r.version) })
		if err != nil {
			return fmt.Errorf("list active launches: %w", err)
		}
		for _, f := range found {
			_, l, err := s.launchAt(ctx, tx, f.id, f.version)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// Update loads the launch inside one immediate transaction, lets fn change
// it, and stores the rows fn changed together with the events fn returns as
// audit rows, all stamped with one timestamp, now (in UTC, to the
// millisecond the database keeps). When fn fails its error is returned
// unchanged and nothing is stored. Update returns the launch fn changed.
//
// Loading checks the launch's version and reuses the rows cached at that
// version, so a tick reads one small row rather than the whole checklist.
func (s *Store) Update(ctx context.Context, id int64, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	return s.update(ctx, id, func(_ *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error) { return fn(l, now) })
}

// update is Update with fn given the transaction, for changes that write
// more than the launch's rows in it.
func (s *Store) update(ctx context.Context, id int64, fn func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	var l *launch.Launch
	err := s.retry(ctx, func() error {
		var err error
		l, err = s.updateOnce(ctx, id, fn)
		return err
	})
	return l, err
}

func (s *Store) updateOnce(ctx context.Context, id int64, fn func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("update launch %d: begin: %w", id, err)
	}
	defer tx.Rollback()

	l, w, err := s.changeIn(ctx, tx, id, s.now(), fn)
	if err != nil {
		return nil, err
	}
	if err := s.commit(tx, w); err != nil {
		return nil, err
	}
	return l, nil
}

// changeIn loads launch id in tx, lets fn change it, and writes the rows fn
// changed, the events it returned and the posts it told, stamped now; the
// caller commits, and caches the write (commit).
func (s *Store) changeIn(ctx context.Context, tx *sql.Tx, id int64, now time.Time,
	fn func(tx *sql.Tx, l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, launchWrite, error) {
	if err := s.lockLaunches(ctx, tx, id); err != nil {
		return nil, launchWrite{}, err
	}
	before, l, err := s.loadLaunch(ctx, tx, id)
	if err != nil {
		return nil, launchWrite{}, err
	}
	events, err := fn(tx, l, now)
	if err != nil {
		return nil, launchWrite{}, err
	}
	if l.ID != id {
		return nil, launchWrite{}, fmt.Errorf("update launch %d: the change set its id to %d", id, l.ID)
	}
	if err := unsaid(l); err != nil {
		return nil, launchWrite{}, err
	}
	after, err := encode(l)
	if err != nil {
		return nil, launchWrite{}, fmt.Errorf("update launch %d: %w", id, err)
	}
	// Every change leaves its trace in the audit log: a change that says
	// nothing of itself is a bug, refused rather than stored silently.
	if len(events) == 0 && !before.stored(after) {
		return nil, launchWrite{}, fmt.Errorf("update launch %d: a change without an audit event", id)
	}
	w := launchWrite{id: id, before: before, after: after, events: events, posts: l.TakePosts()}
	if err := w.write(ctx, tx, now); err != nil {
		return nil, launchWrite{}, err
	}
	return l, w, nil
}

// launchWrite is what a transaction stores of one launch: the rows that
// changed from before (as the transaction found them) to after, the
// events that changed them, and the posts they told (launch.Tell).
type launchWrite struct {
	id            int64
	before, after snapshot
	events        []launch.Event
	posts         []launch.Post
	// version is the launch's version once written, for the cache.
	version int64
}

// write writes w's rows, audit rows and posts in tx, stamped now, and reads the
// version they leave.
func (w *launchWrite) write(ctx context.Context, tx *sql.Tx, now time.Time) error {
	if err := writeChanges(ctx, tx, w.id, w.before, w.after); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, w.id, now, w.events); err != nil {
		return fmt.Errorf("update launch %d: %w", w.id, err)
	}
	if err := writePosts(ctx, tx, w.id, now, w.posts); err != nil {
		return fmt.Errorf("update launch %d: %w", w.id, err)
	}
	if w.after.launch.archived && !w.before.launch.archived {
		// An archived launch is reminded of nothing more: its reminders
		// still waiting in the outbox (Slack down, say) are dropped with
		// the archiving. One being sent goes on.
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE launch_id = ? AND key LIKE 'remind:%' AND state = 'pending'`,
			w.id); err != nil {
			return fmt.Errorf("update launch %d: drop its reminders waiting: %w", w.id, err)
		}
	}
	version, err := launchVersion(ctx, tx, w.id)
	if err != nil {
		return fmt.Errorf("update launch %d: %w", w.id, err)
	}
	w.version = version
	return nil
}

// commit commits tx, in which writes were written, and caches each
// launch's rows: what a load would read at its new version.
func (s *Store) commit(tx *sql.Tx, writes ...launchWrite) error {
	if err := tx.Commit(); err != nil {
		if len(writes) == 1 {
			return fmt.Errorf("update launch %d: commit: %w", writes[0].id, err)
		}
		return fmt.Errorf("update %d launches: commit: %w", len(writes), err)
	}
	for _, w := range writes {
		s.cache.put(w.id, w.version, w.after)
	}
	return nil
}

// read runs fn in a read transaction on the reader pool, so that the
// several queries loading a launch see one state of the database.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.postgres {
		// One snapshot for the whole transaction; SQLite's read
		// transactions are snapshots already.
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.reader.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// unsaid refuses a change that left notices for the channel nobody took
// (launch.Notices) to word and store with it: what a change tells the
// channel is never dropped silently.
func unsaid(l *launch.Launch) error {
	if l.Noticing() {
		return fmt.Errorf("update launch %d: the change told the channel something nobody worded (launch.Notices)", l.ID)
	}
	return nil
}
