package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/golive/golive/internal/schedule"
)

// TestOverdueByOwnDueDate: an open item is overdue the day after its own
// due date, which takes the place of its window's for a window's task.
func TestOverdueByOwnDueDate(t *testing.T) {
	l := testLaunch("C1", "2025-03-20", "Europe/Paris")
	l.Checklist.Item(1).Due = "2025-03-05" // a readiness item, owned by UALICE
	l.Checklist.Item(5).Due = "2025-03-16" // a task of the week's window (03-13), owned by UBOB
	at := func(day string, hour int) time.Time {
		d, _ := time.ParseInLocation("2006-01-02", day, l.Location())
		return d.Add(time.Duration(hour) * time.Hour)
	}
	tests := []struct {
		name string
		now  time.Time
		want []int
	}{
		{"on its due date", at("2025-03-05", 23), []int{}},
		{"the day after", at("2025-03-06", 8), []int{1}},
		{"its window passed, its own date not yet", at("2025-03-16", 10), []int{1}},
		{"the next window opened", at("2025-03-17", 10), []int{6, 1, 5}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, numbers(schedule.Overdue(l, nine, tt.now)), tt.name)
	}
	byOwner := schedule.OverdueByOwner(l, nine, at("2025-03-17", 10))
	assert.Equal(t, []schedule.OwnerItems{
		{Owner: "UALICE", Items: schedule.Overdue(l, nine, at("2025-03-17", 10))[1:2]},
		{Owner: "UBOB", Items: schedule.Overdue(l, nine, at("2025-03-17", 10))[2:3]},
		{Owner: "UCAROL", Items: schedule.Overdue(l, nine, at("2025-03-17", 10))[0:1]},
	}, byOwner)

	l.Checklist.Item(1).Done = true
	assert.Empty(t, numbers(schedule.Overdue(l, nine, at("2025-03-06", 8))), "done, it is overdue no more")
}

// TestDigestRunsTheDayAfterADueDate: the daily digest that sends overdue
// DMs runs from the day after an item's due date, though no window has
// passed yet.
func TestDigestRunsTheDayAfterADueDate(t *testing.T) {
	l := testLaunch("C1", "2025-03-20", "Europe/Paris")
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	digests := func() []string {
		var out []string
		for _, r := range schedule.Plan(l, nil, nine, now) {
			if r.Kind == schedule.KindDigest {
				out = append(out, r.Key)
			}
		}
		return out
	}
	assert.Equal(t, []string{"2025-03-17"}, digests(), "the second window's day")
	l.Checklist.Item(2).Due = "2025-03-05"
	assert.Equal(t, []string{"2025-03-06"}, digests())
	l.Checklist.Item(2).Done = true
	assert.Equal(t, []string{"2025-03-17"}, digests(), "a done item is never overdue")
}
