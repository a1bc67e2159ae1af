package launch

import (
	"fmt"
	"time"
)

// Post is a message golive owes Slack because of a change: an announcement,
// a notice in the launch's channel, a direct message. It is stored in the
// same transaction as the change that causes it (see Launch.Tell), and the
// outbox sender delivers it afterwards, so that a crash or a Slack outage
// after the commit delays it but never loses it.
//
// The domain does not know Slack: Body is whatever the adapter rendered
// (Block Kit JSON for the bot) and is carried as it is.
type Post struct {
	// Key names the cause, and is unique among every post ever stored: the
	// same cause never enqueues twice, and the key travels with the message
	// so that a delivery whose outcome is unknown can be looked for. Keys
	// read "<kind>:<launch id>:<what caused it>", for example
	// "announce:12:1764700000000" (the announcement's instant). A post
	// enqueued by the creation of a launch, which has no id yet, may leave
	// it empty: the store then keys it "<kind>:<launch id>".
	Key      string
	LaunchID int64
	// Channel is the conversation posted in; User, the person sent a
	// direct message instead. Exactly one is set.
	Channel string
	User    string
	// Kind is what the post is (PostAnnouncement, ...), for logs, metrics
	// and the adapter.
	Kind string
	Body []byte
}

// Kinds of Post.
const (
	PostAnnouncement = "announce"
	PostStaleNotice  = "stale"
	PostNotice       = "notice"
	PostImportNotice = "import"
	PostUpdateNotice = "update"
	PostApprovalDM   = "ask"
	PostNADM         = "na"
	// PostReminder is a reminder that came due (a window opening, a
	// countdown, an overdue list, a waiver lapse), keyed
	// "remind:<launch id>:<reminder kind>:<reminder key>", or one asked for
	// (`remind now`), keyed "remind:<launch id>:now:<request>:<window key>".
	PostReminder = "remind"
)

// Validate checks a post before it is stored.
func (p Post) Validate() error {
	switch {
	case p.Kind == "":
		return fmt.Errorf("post %q: no kind", p.Key)
	case (p.Channel == "") == (p.User == ""):
		return fmt.Errorf("post %q: give a channel or a user, not both nor neither", p.Key)
	case len(p.Body) == 0:
		return fmt.Errorf("post %q: empty body", p.Key)
	}
	return nil
}

// PostKey is the key of a post of kind about launch id, caused by what.
func PostKey(kind string, launchID int64, what string) string {
	return fmt.Sprintf("%s:%d:%s", kind, launchID, what)
}

// InstantKey writes an instant for a post key: Unix milliseconds, the
// precision the store keeps, so that a key made before and after a reload
// is the same.
func InstantKey(t time.Time) string {
	return fmt.Sprint(t.UnixMilli())
}

// Tell enqueues p, to be stored with the change being made to l in the same
// transaction, and delivered after the commit. A change that fails stores
// none of what it told.
func (l *Launch) Tell(p Post) {
	p.LaunchID = l.ID
	l.told = append(l.told, p)
}

// Telling tells whether posts were told since the last TakePosts.
func (l *Launch) Telling() bool { return len(l.told) > 0 }

// TakePosts returns the posts told since the last call and forgets them:
// the store calls it once a change succeeded, to write them.
func (l *Launch) TakePosts() []Post {
	out := l.told
	l.told = nil
	return out
}
