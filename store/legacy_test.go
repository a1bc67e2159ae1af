package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// createLegacyLaunch writes l as golive wrote launches before 0008: no
// launch time, and window offsets in whole days (l's offsets must be
// day-sized), in the group rows and the launch's JSON. It sets l.ID and
// l.CreatedAt, and l.DatedAt as 0008 fills it in: when it was created.
func createLegacyLaunch(ctx context.Context, t *testing.T, db *sql.DB, l *launch.Launch) {
	t.Helper()
	l.CreatedAt, l.Time = t0, ""
	snap, err := encode(l)
	require.NoError(t, err)
	type oldWindow struct {
		Name    string `json:"name"`
		Offset  int    `json:"offset"`
		Section int    `json:"section"`
		Group   int    `json:"group"`
		Items   []int  `json:"items"`
	}
	windows := []oldWindow{}
	for _, w := range l.Checklist.Windows {
		require.True(t, w.DaySized(), w.Name)
		windows = append(windows, oldWindow{Name: w.Name, Offset: w.OffsetDays(), Section: w.Section, Group: w.Group, Items: w.Items})
	}
	js, err := json.Marshal(windows)
	require.NoError(t, err)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	r := snap.launch
	res, err := tx.ExecContext(ctx, `INSERT INTO launches (team_id, channel_id, name, date, timezone, creator, template,
	created_at, archived, reminders_off, review_date, announced_outcome, announced_at, announced_by, announced_fingerprint,
	title, gates, windows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.teamID, r.channelID, r.name, r.date, r.timezone, r.creator, r.template, r.createdAt, r.archived, r.remindersOff,
		r.reviewDate, r.announcedOutcome, r.announcedAt, r.announcedBy, r.announcedFingerprint, r.title, r.gates, string(js))
	require.NoError(t, err)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	for _, s := range snap.sections {
		require.NoError(t, exec(ctx, tx, upsertSection, id, s.idx, s.number, s.title, s.kind, s.owner, s.hasSignoff, s.signedBy, s.signedAt, s.signedOpen))
	}
	for _, g := range snap.groups {
		days := g.windowMinutes
		if days.Valid {
			days.Int64 /= 24 * 60
		}
		require.NoError(t, exec(ctx, tx, `INSERT INTO section_groups (launch_id, section_idx, idx, title, owner, priority, window_offset)
VALUES (?, ?, ?, ?, ?, ?, ?)`, id, g.section, g.idx, g.title, g.owner, g.priority, days))
	}
	for _, i := range snap.items {
		require.NoError(t, exec(ctx, tx, upsertItem, id, i.number, i.sectionIdx, i.groupIdx, i.idx, i.parent, i.depth,
			i.subgroup, i.text, i.done, i.doneBy, i.doneAt, i.owner, i.note, i.priority, i.task, i.line))
	}
	for _, ro := range snap.roles {
		require.NoError(t, exec(ctx, tx, `INSERT INTO roles (launch_id, position, name, description, holder, verdict, note, answered_by, answered_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, ro.position, ro.name, ro.description, ro.holder, ro.verdict, ro.note, ro.by, ro.at))
	}
	for _, r := range l.Checklist.Roles {
		r.Version = 0 // what a role stored before 0007 is at
	}
	for _, it := range l.Checklist.Items() {
		it.Details = ""   // items had no details before 0009
		it.Notes = nil    // nor notes before 0012
		it.Due = ""       // nor due dates before 0014
		it.NA = nil       // nor N/A marks before 0015
		it.Waiver = nil   // nor waivers before 0016
		it.Evidence = nil // nor evidence before 0022
		it.Fresh = 0      // nor freshness before 0023
		it.Probe = nil    // nor probes before 0025
	}
	l.Removed, l.LastItem = nil, 0 // nor removed items
	l.ApprovalsAsked = time.Time{} // nor when approvals were asked for, before 0026
	// The audit row as the first release wrote it: its subject was all it said.
	_, err = tx.ExecContext(ctx, `INSERT INTO audit (launch_id, at, actor, action, subject, before_value, after_value)
VALUES (?, ?, ?, 'create', ?, '', '')`, id, t0.UnixMilli(), l.Creator, "launch "+l.Name)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	l.ID, l.DatedAt = id, t0
}

// TestExistingDatabaseKeepsItsWindows: a database whose windows were
// stored in days (before 0008) reads them back as the same windows, in
// minutes, in both places they are kept; its launches get no time of day
// (they launch at the reminder time) and are dated when they were created.
func TestExistingDatabaseKeepsItsWindows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	old, err := open(ctx, path, ms[:6])
	require.NoError(t, err)
	want := fullLaunch("C1")
	createLegacyLaunch(ctx, t, old.writer, want)
	require.NoError(t, old.Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.LaunchByID(ctx, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, -7*24*60, got.Checklist.Windows[0].OffsetMinutes)
	assert.Equal(t, -7*24*60, got.Checklist.Sections[1].Groups[0].Window.OffsetMinutes)
	assert.Empty(t, got.Time)
	assert.Equal(t, got.CreatedAt, got.DatedAt)

	// Written back in minutes, it reads the same after a change.
	got, err = s.Update(ctx, got.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.MoveDate(l.Creator, "2026-12-02", "14:00", now)
	})
	require.NoError(t, err)
	again, err := s.LaunchByID(ctx, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want.Checklist.Windows, again.Checklist.Windows)
	assert.Equal(t, "14:00", again.Time)
	assert.Equal(t, got, again)
}
