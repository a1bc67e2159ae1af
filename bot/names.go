package bot

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

const (
	// maxNames bounds the directory per team; past it the team starts afresh.
	maxNames = 10000
	// nameTTL is how long a display name from users.info is used before
	// golive asks again (people rename themselves, rarely).
	nameTTL = 24 * time.Hour
	// nameRetry is how long after a failed users.info golive asks again.
	nameRetry = 10 * time.Minute
	// maxLookups bounds the users.info calls one message waits for; the
	// next message looks up the rest.
	maxLookups = 20
	// lookupTimeout bounds those calls together, Retry-After waits included.
	lookupTimeout = 3 * time.Second
)

// slackUserID is a user id as stored for owners: anything else (a name
// written in an imported document) is shown as written, never looked up.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,30}$`)

// directory remembers, per team, the display names users.info gave: the
// names shown in checkbox options, where mentions do not render. It is
// only ever filled from Slack's answers, never from what a request says:
// a name is for showing, and never tells golive who someone is.
type directory struct {
	mu      sync.Mutex
	display map[string]map[string]lookup // team -> user id -> users.info's answer
}

// lookup is what users.info said about a user, and when.
type lookup struct {
	name string // "" when the lookup failed
	at   time.Time
}

func newDirectory() *directory {
	return &directory{display: map[string]map[string]lookup{}}
}

// looked records users.info's answer about user id: name, or "" for a failure.
func (d *directory) looked(team, id, name string, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	display := d.display[team]
	if display == nil || len(display) >= maxNames {
		display = map[string]lookup{}
		d.display[team] = display
	}
	display[id] = lookup{name: strings.TrimSpace(name), at: at}
}

// stale tells whether user id's display name should be asked for (again).
func (d *directory) stale(team, id string, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	got, ok := d.display[team][id]
	switch {
	case !ok:
		return true
	case got.name == "":
		return now.Sub(got.at) >= nameRetry
	default:
		return now.Sub(got.at) >= nameTTL
	}
}

// namesOf returns a resolver of user ids to the display names users.info
// gave in team; "" for the others, which show as their ids.
func (d *directory) namesOf(team string) func(id string) string {
	return func(id string) string {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.display[team][id].name
	}
}

// ownerNames returns the resolver of names for a launch's messages, after
// asking users.info for the item owners golive has no fresh name of: the
// checkbox options name owners in plain text, where <@U…> shows raw.
// Failures are logged and leave the stored id showing.
func (b *Bot) ownerNames(ctx context.Context, log *slog.Logger, l *launch.Launch) render.Names {
	now := b.now()
	var missing []string
	seen := map[string]bool{}
	for _, it := range l.Checklist.Items() {
		id := it.Owner
		if seen[id] || !slackUserID.MatchString(id) || !b.names.stale(l.TeamID, id, now) {
			continue
		}
		seen[id] = true
		if missing = append(missing, id); len(missing) == maxLookups {
			break
		}
	}
	if len(missing) > 0 {
		ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
		for _, id := range missing {
			if ctx.Err() != nil {
				// Out of time (rate limited, say): the rest wait for the
				// retry too, rather than hold up every message meanwhile.
				b.names.looked(l.TeamID, id, "", now)
				continue
			}
			u, err := b.api(ctx, l.TeamID).GetUserInfoContext(ctx, id)
			if err != nil {
				log.Warn("look up a user's display name", "user", id, "err", err)
				b.names.looked(l.TeamID, id, "", now)
				continue
			}
			b.names.looked(l.TeamID, id, displayName(u), now)
		}
	}
	return b.names.namesOf(l.TeamID)
}

// displayName is how Slack shows a user: the display name they chose, else
// their full name, else their handle.
func displayName(u *slack.User) string {
	return firstNonEmpty(strings.TrimSpace(u.Profile.DisplayName), strings.TrimSpace(u.Profile.RealName),
		strings.TrimSpace(u.RealName), u.Name)
}
