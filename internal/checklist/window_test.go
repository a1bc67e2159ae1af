package checklist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/golive/golive/internal/checklist"
)

const (
	hour = 60
	day  = 24 * hour
	week = 7 * day
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		title  string
		offset int // minutes
		ok     bool
	}{
		{"1 Week Before Launch", -week, true},
		{"3 Days Before Launch", -3 * day, true},
		{"1 Day Before Launch", -day, true},
		{"Launch Day", 0, true},
		{"1 Day After Launch", day, true},
		{"First 24 Hours", hour, true},
		{"First Week", day, true},
		{"First Month", week, true},
		{"Two weeks before go-live", -2 * week, true},
		{"2 Weeks Before Release (code freeze)", -2 * week, true},
		{"The day before launch", -day, true},
		{"Day Before Launch", -day, true},
		{"a week after the launch", week, true},
		{"48 hours after launch", 48 * hour, true},
		{"2 hours before launch", -2 * hour, true},
		{"4 Hours Before Launch", -4 * hour, true},
		{"30 minutes before go-live", -30, true},
		{"1 month after go live", 30 * day, true},
		{"Go-Live Day", 0, true},
		{"Release day tasks", 0, true},
		{"Day of Launch", 0, true},
		{"T-7", -week, true},
		{"T+1", day, true},
		{"T-4 Hours", -4 * hour, true},
		{"T-2h", -2 * hour, true},
		{"T+1 Hour", hour, true},
		{"T-30m", -30, true},
		{"T-7d", -week, true},
		{"Pre-Deployment (T-2 hours)", -2 * hour, true},
		{"Smoke Tests (T+15 min)", 15, true},
		{"Deployment (T-0)", 0, true},
		{"Launch Day + 4 Hours", 4 * hour, true},
		{"Launch Day + 1-4 Hours", hour, true},
		{"Launch Day + 4–24 Hours", 4 * hour, true},
		{"T+2-6 hours", 2 * hour, true},
		{"Post-Launch (Day 7)", week, true},
		{"Post-Launch (Week 1)", day, true},
		{"Pre-Launch (2+ weeks out)", -2 * week, true},
		{"T+15 / T+60 minutes: Health Validation", 15, true},
		{"Freeze window (T-24h to T0)", -day, true},
		{"Pre-Launch: Day 3", -3 * day, true},
		{"Go-Live +2h", 2 * hour, true},
		{"Release - 1 day", -day, true},
		{"T-1 week", -week, true},
		{"T−3 days (staging freeze)", -3 * day, true},
		{"T-0", 0, true},
		{"D-1", -day, true},
		{"D-2w", -2 * week, true},
		{"Day -3", -3 * day, true},
		{"Post-Go-Live (24 Hours)", day, true},
		{"Pre-Go-Live (1 Week Before)", -week, true},
		{"Post-Launch (1 Week)", week, true},
		{"Post-Launch (First 24 Hours)", hour, true},
		{"Post-Go-Live (First Week)", day, true},
		{"Pre-launch: 2 days", -2 * day, true},
		{"Post-Deployment (4 hours)", 4 * hour, true},
		{"Week 1", day, true},
		{"Week 2", week, true},
		{"Week -1", -week, true},
		{"First Day", hour, true},
		{"First 48 hours", day, true},
		{"First 2 Weeks", week, true},
		{"First 30 days", week, true},
		{"First 90 days", 30 * day, true},
		{"Launch Readiness Assessment", 0, false},
		{"Post-Launch Monitoring", 0, false},
		{"Pre-Launch Tasks", 0, false},
		{"Pre-Deployment", 0, false},
		{"Post-Deployment", 0, false},
		{"First Impressions", 0, false},
		{"Daily performance reviews", 0, false},
		{"Rollback within 2 hours after release", 0, false},
		{"Testing", 0, false},
		{"Sizing (T-shirt estimates)", 0, false},
		{"Launch - final checks", 0, false},
		{"Support (D-Team)", 0, false},
		{"Weekly review", 0, false},
		{"Deployment Steps", 0, false},
		{"Technical Documentation", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			w, ok := checklist.ParseWindow(tt.title)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.offset, w.OffsetMinutes)
		})
	}
}

func TestWindowSizeAndSide(t *testing.T) {
	tests := []struct {
		offset             int
		daySized, byLaunch bool
		days               int
	}{
		{-week, true, true, -7},
		{-4 * hour, false, true, 0},
		{0, true, true, 0},
		{hour, false, false, 0},
		{day, true, false, 1},
	}
	for _, tt := range tests {
		w := checklist.Window{OffsetMinutes: tt.offset}
		assert.Equal(t, tt.daySized, w.DaySized(), tt.offset)
		assert.Equal(t, tt.byLaunch, w.DueByLaunch(), tt.offset)
		if tt.daySized {
			assert.Equal(t, tt.days, w.OffsetDays(), tt.offset)
		}
	}
}

func TestOffsetWords(t *testing.T) {
	for offset, want := range map[int]string{
		0: "on launch day", -day: "1 day before launch", -week: "7 days before launch", day: "1 day after launch",
		-4 * hour: "4 hours before launch", hour: "1 hour after launch", -30: "30 minutes before launch", -36 * hour: "36 hours before launch",
	} {
		assert.Equal(t, want, checklist.OffsetWords(offset))
	}
}
