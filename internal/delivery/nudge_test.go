package delivery_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
)

// nudging is the fake Slack plus what the bot does once an approval DM
// is sent: it is recorded as the DM that last asked the holder, for every
// role they hold without an answer.
type nudging struct {
	*poster
	store *store.Store
}

func (n *nudging) Send(ctx context.Context, r outbox.Row) (string, error) {
	ts, err := n.poster.Send(ctx, r)
	rec := reminderOf(r)
	if err != nil || rec.Kind != schedule.KindApprovalDM {
		return ts, err
	}
	l, err := n.store.LaunchByID(ctx, rec.Launch)
	if err != nil {
		return "", err
	}
	for _, role := range l.Checklist.Roles {
		if role.Holder == r.User && role.Verdict == checklist.VerdictPending {
			if err := n.store.SaveApprovalDM(ctx, askedDM(l.ID, role, n.clock.Now())); err != nil {
				return "", err
			}
		}
	}
	return ts, nil
}

func askedDM(launchID int64, role *checklist.Role, at time.Time) launch.ApprovalDM {
	return launch.ApprovalDM{LaunchID: launchID, Role: role.Name, Holder: role.Holder,
		ChannelID: "D" + role.Holder, TS: strconv.FormatInt(at.UnixMilli(), 10), AskedAt: at}
}

// startNudging starts an instance on path whose fake Slack records nudges
// as the bot does, rendering with r when given.
func startNudging(t *testing.T, path string, c *clock, p *poster, r ...delivery.Renderer) *instance {
	t.Helper()
	n := &nudging{poster: p}
	cfg := delivery.Config{Transport: n}
	if len(r) > 0 {
		cfg.Renderer = r[0]
	}
	in := startWith(t, path, c, cfg)
	n.store = in.store
	return in
}

// askApprovals does what `approvals` does: it records the DM that asked
// each role's holder, now, then plans the launch's reminders again.
func askApprovals(t *testing.T, in *instance, c *clock, launchID int64) {
	t.Helper()
	ctx := context.Background()
	l, err := in.store.LaunchByID(ctx, launchID)
	require.NoError(t, err)
	for _, r := range l.Checklist.Roles {
		if r.Holder != "" {
			require.NoError(t, in.store.SaveApprovalDM(ctx, askedDM(l.ID, r, c.Now())))
		}
	}
	require.NoError(t, in.runner.Sync(ctx, launchID))
}

// change applies fn to the stored launch, as a command would, without
// planning its reminders again.
func change(t *testing.T, in *instance, launchID int64, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) {
	t.Helper()
	_, err := in.store.Update(context.Background(), launchID, fn)
	require.NoError(t, err)
}

// nudged returns, by holder, the local times of the approval DMs posted.
func nudged(p *poster) map[string][]string {
	out := map[string][]string{}
	for _, x := range p.Posts(schedule.KindApprovalDM) {
		holder := x.Key[len("2025-03-05 "):]
		out[holder] = append(out[holder], x.Local)
	}
	return out
}

// at0900 lists "YYYY-MM-DD 09:00" for each day from first to last.
func at0900(first, last string) []string {
	var out []string
	for _, d := range daysFrom(first, last) {
		out = append(out, d+" 09:00")
	}
	return out
}

// TestApprovalNudgesDailyUntilLaunchDay: once `approvals` has asked, a
// holder who never answers gets exactly one DM a day at 09:00 local, from
// the next day up to launch day (daylight saving starts on the way), and
// one who answers gets no more; a restart, then two instances on one
// database, double nothing.
func TestApprovalNudgesDailyUntilLaunchDay(t *testing.T) {
	const zone = "America/New_York"
	ctx := context.Background()
	at := func(s string) time.Time { return local(t, zone, s) }
	c := newClock(at("2025-03-03 10:00"))
	p := newPoster(c)
	path := dbPath(t)
	a := startNudging(t, path, c, p)
	l := testLaunch("C1", "2025-03-14", zone)
	l.Checklist.Roles[1].Holder = "UFAY"
	a.create(t, l)

	runUntil(t, c, at("2025-03-05 12:00"), a)
	assert.Empty(t, p.Posts(schedule.KindApprovalDM), "nobody is nudged before approvals are asked")
	askApprovals(t, a, c, l.ID)

	runUntil(t, c, at("2025-03-09 12:00"), a)
	change(t, a, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.Answer("UFAY", "Security Lead", checklist.VerdictApproved, "", now)
	})

	// Restart after the day's nudge, then two instances share the file.
	runUntil(t, c, at("2025-03-11 10:00"), a)
	a.stop()
	b := startNudging(t, path, c, p)
	d := startNudging(t, path, c, p)
	runUntil(t, c, at("2025-04-01 00:00"), b, d)

	assert.Equal(t, map[string][]string{
		"UERIN": at0900("2025-03-06", "2025-03-14"), // the day before launch and launch day included
		"UFAY":  at0900("2025-03-06", "2025-03-09"), // answered on the 9th, after that day's nudge
	}, nudged(p))

	rows, err := b.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	calls := map[int64]int{}
	for _, x := range p.Posts() {
		calls[x.ID]++
	}
	for _, r := range rows {
		if r.Kind == schedule.KindApprovalDM {
			assert.Equal(t, schedule.StateSent, r.State, r.String())
			assert.Equal(t, 1, calls[r.ID], r.String())
		}
	}
}

// TestApprovalNudgeFollowsHolderChange: the role changes holder behind the
// scheduler's back while the old holder's nudge cannot be rendered; its
// retry is skipped, and from the next day the new holder alone is nudged.
func TestApprovalNudgeFollowsHolderChange(t *testing.T) {
	const zone = "Asia/Tokyo"
	ctx := context.Background()
	at := func(s string) time.Time { return local(t, zone, s) }
	c := newClock(at("2025-03-05 12:00"))
	p := newPoster(c)
	path := dbPath(t)
	var in *instance
	var changed bool
	in = startNudging(t, path, c, p, rendererFunc(func(ctx context.Context, l *launch.Launch, r schedule.Reminder, now time.Time) ([]delivery.Message, error) {
		if r.Kind != schedule.KindApprovalDM || r.Key != "2025-03-08 UERIN" {
			return renderer{}.messages(ctx, l, r, now)
		}
		if !changed {
			changed = true
			change(t, in, l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				return l.SetRoleHolder("UCREATOR", "Engineering Lead", "UGUS")
			})
		}
		return nil, errors.New("database is locked")
	}))
	l := in.create(t, testLaunch("C1", "2025-03-14", zone))
	askApprovals(t, in, c, l.ID)

	runUntil(t, c, at("2025-03-20 00:00"), in)

	assert.Equal(t, map[string][]string{
		"UERIN": at0900("2025-03-06", "2025-03-07"),
		"UGUS":  at0900("2025-03-09", "2025-03-14"),
	}, nudged(p))
	rows, err := in.store.Reminders(ctx, l.ID)
	require.NoError(t, err)
	for _, r := range rows {
		if r.Kind == schedule.KindApprovalDM && r.Key == "2025-03-08 UERIN" {
			assert.Equal(t, schedule.StateSkipped, r.State, "the retry found UERIN no longer in the role")
			assert.Equal(t, 1, r.Attempts)
		}
	}
}

// TestApprovalNudgesStopAtDecision: an announced decision (here NO-GO, a
// gate failing) closes the approvals and stops the nudges; asking again
// with `approvals` starts them again the next day.
func TestApprovalNudgesStopAtDecision(t *testing.T) {
	at := func(s string) time.Time { return local(t, "UTC", s) }
	c := newClock(at("2025-03-05 12:00"))
	p := newPoster(c)
	in := startNudging(t, dbPath(t), c, p)
	l := in.create(t, testLaunch("C1", "2025-03-14", "UTC"))
	askApprovals(t, in, c, l.ID)

	runUntil(t, c, at("2025-03-10 12:00"), in)
	change(t, in, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := l.Announce("UCREATOR", now)
		l.Notices(now) // the announcement is the bot's to post
		return events, err
	})
	runUntil(t, c, at("2025-03-12 12:00"), in)
	askApprovals(t, in, c, l.ID)
	runUntil(t, c, at("2025-03-20 00:00"), in)

	assert.Equal(t, map[string][]string{
		"UERIN": append(at0900("2025-03-06", "2025-03-10"), at0900("2025-03-13", "2025-03-14")...),
	}, nudged(p))
}

// TestApprovalNudgesWithoutWindows: a checklist with no time windows has no
// window posts nor overdue digests, yet its holders are nudged while an
// answer is pending.
func TestApprovalNudgesWithoutWindows(t *testing.T) {
	at := func(s string) time.Time { return local(t, "Europe/Paris", s) }
	c := newClock(at("2025-03-10 15:00"))
	p := newPoster(c)
	in := startNudging(t, dbPath(t), c, p)
	l := testLaunch("C1", "2025-03-14", "Europe/Paris")
	l.Checklist.Windows = nil
	in.create(t, l)
	askApprovals(t, in, c, l.ID)
	runUntil(t, c, at("2025-03-31 00:00"), in)

	assert.Equal(t, map[string][]string{"UERIN": at0900("2025-03-11", "2025-03-14")}, nudged(p))
	assert.Empty(t, p.Posts(schedule.KindWindow, schedule.KindOverdueDM))
}
