package bot

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func TestStuckDatabaseAnswersInTime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		honours bool
		want    string
	}{
		{"the store gives up at the deadline", true, msgTimeout},
		{"the store does not answer at all", false, msgUnsure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				c.Store = &slowStore{Store: c.Store.(*store.Store), honours: tc.honours, hang: time.Second}
				c.AckBudget = 200 * time.Millisecond
			})
			h.newLaunch()

			start := time.Now()
			a := h.command("UEVE", "tick 1")
			assert.Less(t, time.Since(start), 900*time.Millisecond, "acknowledged within the budget")
			require.Equal(t, http.StatusOK, a.Status)
			assert.Equal(t, "ephemeral", a.Answer.ResponseType)
			assert.Equal(t, tc.want, a.Answer.Text)
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
