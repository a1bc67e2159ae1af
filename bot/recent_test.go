package bot

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecentRemembersForItsTTL(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	r := newRecent[string, int](time.Minute, 100)
	r.put("a", 1, t0)
	tests := []struct {
		name  string
		after time.Duration
		want  bool
	}{
		{"at once", 0, true},
		{"just before the ttl", time.Minute - time.Millisecond, true},
		{"at the ttl", time.Minute, false},
		{"long after", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := r.get("a", t0.Add(tt.after))
			assert.Equal(t, tt.want, ok)
			if ok {
				assert.Equal(t, 1, v)
			}
		})
	}
	// Values put across generations are each kept for the whole ttl.
	r = newRecent[string, int](time.Minute, 100)
	for i := range 10 {
		at := t0.Add(time.Duration(i) * 20 * time.Second)
		r.put(strconv.Itoa(i), i, at)
		for j := 0; j <= i; j++ {
			_, ok := r.get(strconv.Itoa(j), at)
			assert.Equal(t, at.Sub(t0.Add(time.Duration(j)*20*time.Second)) < time.Minute, ok, "value %d at step %d", j, i)
		}
	}
	assert.LessOrEqual(t, r.size(), 6, "what is older than two generations is dropped")

	// A value put late in a generation is kept for its whole ttl, past
	// the generation's end.
	r = newRecent[string, int](time.Minute, 100)
	r.put("early", 1, t0)
	r.put("late", 2, t0.Add(59*time.Second))
	_, ok := r.get("late", t0.Add(118*time.Second))
	assert.True(t, ok, "put 59 s before")
	_, ok = r.get("early", t0.Add(118*time.Second))
	assert.False(t, ok)

	// A full generation ends early: memory is bounded whatever the rate.
	r = newRecent[string, int](time.Hour, 10)
	for i := range 1000 {
		r.put(strconv.Itoa(i), i, t0)
		assert.LessOrEqual(t, r.size(), 20)
	}
	_, ok = r.get("999", t0)
	assert.True(t, ok, "the latest are kept")
}

// TestRefreshJobsAreDeletedOnceSent: a launch's refresh job goes away once
// its update is sent, keeping its note for the next refresh that brings
// none (they used to stay for the life of the process, one per launch).
func TestRefreshJobsAreDeletedOnceSent(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	ts := h.postChecklist("")
	n := firstItems(l, 1)[0]
	require.Equal(t, http.StatusOK, h.interact(h.toggle("UEVE", ts, n)).Status)
	require.Eventually(t, func() bool {
		m, _ := h.slack.message(ts)
		return shownDone(t, m)[n]
	}, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return h.bot.refresh.pending() == 0 }, 5*time.Second, 5*time.Millisecond,
		"the job is deleted once its update is sent")

	note, ok := h.bot.refresh.lastNotes.get(l.ID, time.Now())
	assert.True(t, ok)
	assert.Contains(t, note, "<@UEVE>")

	// A refresh without news shows the last note again.
	updates := h.slack.count("chat.update")
	rec, err := h.store.Message(context.Background(), testChan, ts)
	require.NoError(t, err)
	h.bot.refresh.schedule(l.TeamID, l.ID, false, &rec, "", 0)
	require.Eventually(t, func() bool { return h.slack.count("chat.update") > updates }, 5*time.Second, 5*time.Millisecond)
	m, _ := h.slack.message(ts)
	assert.Contains(t, unJSON(m.Blocks), "<@UEVE>")
	require.Eventually(t, func() bool { return h.bot.refresh.pending() == 0 }, 5*time.Second, 5*time.Millisecond)
}
