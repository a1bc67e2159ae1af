package checklist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/golive/golive/internal/checklist"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		title  string
		offset int
		ok     bool
	}{
		{"1 Week Before Launch", -7, true},
		{"3 Days Before Launch", -3, true},
		{"1 Day Before Launch", -1, true},
		{"Launch Day", 0, true},
		{"1 Day After Launch", 1, true},
		{"First 24 Hours", 0, true},
		{"First Week", 1, true},
		{"First Month", 7, true},
		{"Two weeks before go-live", -14, true},
		{"2 Weeks Before Release (code freeze)", -14, true},
		{"The day before launch", -1, true},
		{"Day Before Launch", -1, true},
		{"a week after the launch", 7, true},
		{"48 hours after launch", 2, true},
		{"2 hours before launch", 0, true},
		{"1 month after go live", 30, true},
		{"Go-Live Day", 0, true},
		{"Release day tasks", 0, true},
		{"Day of Launch", 0, true},
		{"T-7", -7, true},
		{"T+1", 1, true},
		{"D-2w", -14, true},
		{"Day -3", -3, true},
		{"First Day", 0, true},
		{"First 48 hours", 1, true},
		{"First 2 Weeks", 7, true},
		{"First 30 days", 7, true},
		{"First 90 days", 30, true},
		{"Launch Readiness Assessment", 0, false},
		{"Post-Launch Monitoring", 0, false},
		{"Pre-Launch Tasks", 0, false},
		{"First Impressions", 0, false},
		{"Daily performance reviews", 0, false},
		{"Rollback within 2 hours after release", 0, false},
		{"Testing", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			w, ok := checklist.ParseWindow(tt.title)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.offset, w.Offset)
		})
	}
}
