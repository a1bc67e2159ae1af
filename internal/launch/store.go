package launch

import (
	"context"
	"time"
)

// Store keeps launches. Its implementation (store/, on SQLite) runs every
// Update in one transaction, together with its audit rows and its posts.
type Store interface {
	// CreateLaunch stores a new launch and sets its ID and item numbers'
	// owner, and enqueues the posts told to l before (Tell) in the same
	// transaction. It fails with ECONFLICT when the channel already has an
	// active launch.
	CreateLaunch(ctx context.Context, l *Launch, by string) error
	// LaunchByChannel returns the channel's active launch, or ENOTFOUND.
	LaunchByChannel(ctx context.Context, teamID, channelID string) (*Launch, error)
	// LaunchByID returns a launch, archived or not, or ENOTFOUND.
	LaunchByID(ctx context.Context, id int64) (*Launch, error)
	// ActiveLaunches returns every launch that is not archived.
	ActiveLaunches(ctx context.Context) ([]*Launch, error)
	// Update loads the launch, lets fn change it, and stores the changes,
	// the events fn returns and the posts fn told (Launch.Tell: what the
	// change owes Slack, delivered after the commit) in one transaction.
	// now is that transaction's single timestamp. When fn returns an error
	// nothing is stored. A post whose key is stored already is the same
	// cause told again, and is not stored twice.
	Update(ctx context.Context, id int64, fn func(l *Launch, now time.Time) ([]Event, error)) (*Launch, error)
	// Audit returns a launch's audit log, oldest first.
	Audit(ctx context.Context, launchID int64) ([]AuditEntry, error)
}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID       int64
	LaunchID int64
	At       time.Time
	Event
}

// Changes are changes to one launch that may share a transaction, and so a
// sync to disk, with the changes of other launches (store.UpdateMany): each
// runs on the launch as the changes before it left it, and one that fails
// is undone alone.
type Changes struct {
	ID  int64
	Fns []func(l *Launch, now time.Time) ([]Event, error)
}
