package bot

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// slowStore is the real store with an Update that hangs: until its
// context ends (honours), or for a fixed time whatever the context says.
type slowStore struct {
	*store.Store
	honours bool
	hang    time.Duration
}

func (s *slowStore) Update(ctx context.Context, id int64, fn func(*launch.Launch, time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	if s.honours {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	time.Sleep(s.hang)
	return s.Store.Update(ctx, id, fn)
}

func (s *slowStore) UpdateMany(ctx context.Context, batch []launch.Changes) ([][]error, error) {
	if s.honours {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	time.Sleep(s.hang)
	return s.Store.UpdateMany(ctx, batch)
}

func TestStuckDatabaseAnswersInTime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		honours bool
		want    string
		// later is what the user is told once the outcome is known.
		later string
	}{
		{"the store gives up at the deadline", true, msgTimeout, ""},
		{"the store does not answer at all", false, msgUnsure,
			"Update on your `/golive tick 1`: it was not saved. " + msgTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				c.Store = &slowStore{Store: c.Store.(*store.Store), honours: tc.honours, hang: 3 * time.Second}
				c.AckBudget = 500 * time.Millisecond
			})
			h.newLaunch()

			start := time.Now()
			a := h.command("UEVE", "tick 1")
			// Slack gives up after 3 s: the answer must come well before,
			// however long the store hangs.
			assert.Less(t, time.Since(start), 2500*time.Millisecond, "acknowledged within Slack's 3 seconds")
			require.Equal(t, http.StatusOK, a.Status)
			assert.Equal(t, "ephemeral", a.Answer.ResponseType)
			assert.Equal(t, tc.want, a.Answer.Text)
			assert.NotContains(t, a.Answer.Text, "may still go through")
			if tc.later == "" {
				return
			}
			h.responseWith(tc.later)
			assert.False(t, h.launch().Checklist.Item(1).Done, "what the follow-up says is true")
		})
	}
}

// failingStore is the real store whose reads fail with an internal error.
type failingStore struct{ *store.Store }

func (failingStore) LaunchByChannel(context.Context, string, string) (*launch.Launch, error) {
	return nil, errors.New("load launch: disk I/O error at /var/lib/golive/golive.db")
}

func TestInternalErrorsStayInTheLog(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Store = failingStore{c.Store.(*store.Store)} })
	a := h.command("UEVE", "status")
	assert.Equal(t, launch.ErrorMessage(errors.New("x")), a.Answer.Text)
	assert.NotContains(t, string(a.Body), "disk I/O")
	assert.Contains(t, h.logs.String(), "disk I/O error", "the detail is logged")
}

// lateStore is the real store whose Update starts late and then runs to
// the end whatever its context says, like SQLite inside a cgo call.
type lateStore struct {
	*store.Store
	late time.Duration
}

func (s *lateStore) Update(ctx context.Context, id int64, fn func(*launch.Launch, time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	time.Sleep(s.late)
	return s.Store.Update(context.WithoutCancel(ctx), id, fn)
}

func (s *lateStore) UpdateMany(ctx context.Context, batch []launch.Changes) ([][]error, error) {
	time.Sleep(s.late)
	return s.Store.UpdateMany(context.WithoutCancel(ctx), batch)
}

func (s *lateStore) UpdateOnce(ctx context.Context, id int64, team, request string, fn func(*launch.Launch, time.Time, bool) ([]launch.Event, error)) (*launch.Launch, error) {
	time.Sleep(s.late)
	return s.Store.UpdateOnce(context.WithoutCancel(ctx), id, team, request, fn)
}

// Each command that reads what its change saw (the old date, the people
// asked, the section named) runs past its deadline here, while its
// transaction goes on in the background. Run with -race, this shows that
// the handler reads nothing the transaction writes: one command per bot,
// so that no later request orders the two by chance.
func TestChangesPastTheDeadlineShareNothing(t *testing.T) {
	for _, tc := range []struct{ text, date, review string }{
		{"date 2026-12-05", "2026-12-05", ""},
		{"owner 1 none", "2026-12-01", ""},
		{"owner Security none", "2026-12-01", ""},
		{"review 2026-12-10", "2026-12-01", "2026-12-10"},
		{"approvals", "2026-12-01", ""},
		{"decide", "2026-12-01", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				c.Store = &lateStore{Store: c.Store.(*store.Store), late: time.Second}
				c.AckBudget = 400 * time.Millisecond // wide enough that reading the launch never misses it on a loaded machine
			})
			l := h.newLaunch()
			_, err := h.store.Update(context.Background(), l.ID, func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
				return l.SetRoleHolder(creator, l.Checklist.Roles[0].Name, "UDANA")
			})
			require.NoError(t, err)

			a := h.command(creator, tc.text)
			require.Equal(t, http.StatusOK, a.Status)
			assert.Equal(t, msgUnsure, a.Answer.Text)
			h.responseWith("Update on your `/golive " + tc.text + "`: it was saved after all.")
			h.bot.Close() // waits for the transaction left running
			got := h.launch()
			assert.Equal(t, tc.date, got.Date, "the change went through after the deadline")
			assert.Equal(t, tc.review, got.ReviewDate)
		})
	}
}

// The sign-off confirmation is a click: its answer comes through the
// response_url, after the acknowledgement.
func TestSignoffPastTheDeadlineSharesNothing(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Store = &lateStore{Store: c.Store.(*store.Store), late: time.Second}
		c.AckBudget = 400 * time.Millisecond // wide enough that reading the launch never misses it on a loaded machine
	})
	l := h.newLaunch()
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	confirm := map[string]any{"type": "button", "action_id": render.ActionSignoffConfirm, "block_id": "b",
		"value": render.SignoffRef{LaunchID: l.ID, Section: sec.Index}.String()}
	click := h.blockAction(creator, "", nil, confirm)
	delete(click, "message")

	require.Equal(t, http.StatusOK, h.interact(click).Status)
	h.responseWith(msgUnsure)
	h.responseWith("Update on your click: it was saved after all.")
	h.bot.Close()
	assert.NotNil(t, h.launch().Checklist.Sections[sec.Index].Signoff, "signed after the deadline")
}
