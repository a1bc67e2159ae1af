package launch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestReadDue(t *testing.T) {
	l := sample() // launch date 2026-12-01, today 2026-11-25
	tests := []struct {
		in, want, err string
	}{
		{"2026-11-30", "2026-11-30", ""},
		{" 2026-11-30 ", "2026-11-30", ""},
		{"T-3d", "2026-11-28", ""},
		{"t-3D", "2026-11-28", ""},
		{"T-0d", "2026-12-01", ""},
		{"T+2d", "2026-12-03", ""},
		{"T-30d", "2026-11-01", ""},
		{"T-3", "", "is not a due date"},
		{"T-3w", "", "is not a due date"},
		{"2026-02-30", "", "is not a due date"},
		{"soon", "", "is not a due date"},
		{"", "", "is not a due date"},
		{"2031-12-01", "", "is too far from today"},
		{"T+2000d", "", "is too far from today"},
		{"2024-01-01", "", "is too far from today"},
	}
	for _, tt := range tests {
		got, err := l.ReadDue(tt.in, now)
		if tt.err != "" {
			require.Error(t, err, tt.in)
			assert.Equal(t, launch.EINVALID, launch.ErrorCode(err), tt.in)
			assert.Contains(t, err.Error(), tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestSetDue(t *testing.T) {
	l := sample()
	due, events, err := l.SetDue("USEC", 2, "T-1d", now)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-30", due)
	assert.Equal(t, "2026-11-30", l.Checklist.Item(2).Due)
	assert.Equal(t, []launch.Event{{Actor: "USEC", Kind: launch.KindDue, Items: []int{2}, After: "2026-11-30"}}, events)

	_, events, err = l.SetDue("USEC", 2, "2026-11-30", now)
	require.NoError(t, err)
	assert.Empty(t, events, "the same date again changes nothing")

	_, _, err = l.SetDue("USEC", 2, "2026-11-31", now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
	assert.Equal(t, "2026-11-30", l.Checklist.Item(2).Due, "a refusal changes nothing")

	due, events, err = l.SetDue("UBOSS", 2, "OFF", now)
	require.NoError(t, err)
	assert.Empty(t, due)
	assert.Empty(t, l.Checklist.Item(2).Due)
	assert.Equal(t, []launch.Event{{Actor: "UBOSS", Kind: launch.KindDue, Items: []int{2}, Before: "2026-11-30", After: "no due date"}}, events)

	_, _, err = l.SetDue("UBOSS", 99, "T-1d", now)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))

	l.Date = ""
	_, _, err = l.SetDue("UBOSS", 2, "T-1d", now)
	assert.Contains(t, err.Error(), "no date to count T-1d from")
}
