package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// TestAuditRowsOfBeforeTypedEventsGetTheirFields: the rows written when an
// event was only text ("item 12", "section Security") read back with their
// item numbers, section, role and launch name, parsed once by the
// migration; the log stays append-only after it.
func TestAuditRowsOfBeforeTypedEventsGetTheirFields(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	ms, err := embeddedMigrations()
	require.NoError(t, err)

	old, err := open(ctx, path, ms[:1])
	require.NoError(t, err)
	l := fullLaunch("C1")
	createLegacyLaunch(ctx, t, old.writer, l)
	rows := []struct{ action, subject, before, after string }{
		{"tick", "item 12", "open", "done"},
		{"signoff-void", "section Security & Privacy", "signed by UBOSS", "void: item 12 unticked"},
		{"verdict", "role Security Lead", "pending", "approved"},
		{"archive", "launch Checkout v2", "active", "archived"},
		{"date", "launch date", "2026-12-01", "2026-12-08"},
		{"update", "checklist", "", "3 added"},
		{"test", "item twelve", "", ""},
	}
	for _, r := range rows {
		_, err := old.writer.ExecContext(ctx, `INSERT INTO audit (launch_id, at, actor, action, subject, before_value, after_value)
VALUES (?, ?, 'UOLD', ?, ?, ?, ?)`, l.ID, t0.UnixMilli(), r.action, r.subject, r.before, r.after)
		require.NoError(t, err)
	}
	require.NoError(t, old.Close())

	s, err := open(ctx, path, ms)
	require.NoError(t, err)
	defer s.Close()
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, audit, len(rows)+1)
	var got []launch.Event
	for _, e := range audit[1:] {
		got = append(got, e.Event)
	}
	assert.Equal(t, []launch.Event{
		{Actor: "UOLD", Kind: launch.KindTick, Items: []int{12}, Before: "open", After: "done"},
		{Actor: "UOLD", Kind: launch.KindSignoffVoid, Section: "Security & Privacy", Before: "signed by UBOSS", After: "void: item 12 unticked"},
		{Actor: "UOLD", Kind: launch.KindVerdict, Role: "Security Lead", Before: "pending", After: "approved"},
		{Actor: "UOLD", Kind: launch.KindArchive, Launch: "Checkout v2", Before: "active", After: "archived"},
		{Actor: "UOLD", Kind: launch.KindDate, Before: "2026-12-01", After: "2026-12-08"},
		{Actor: "UOLD", Kind: launch.KindUpdate, After: "3 added"},
		{Actor: "UOLD", Kind: "test"},
	}, got)
	for i, r := range rows[:6] {
		assert.Equal(t, r.subject, got[i].Subject(), "the subject made from the fields is the text it was made from")
	}
	assert.Equal(t, launch.Event{Actor: l.Creator, Kind: launch.KindCreate, Launch: l.Name}, audit[0].Event)

	_, err = s.writer.ExecContext(ctx, `UPDATE audit SET actor = 'UFORGED' WHERE launch_id = ?`, l.ID)
	assert.ErrorContains(t, err, "append-only")
	_, err = s.writer.ExecContext(ctx, `DELETE FROM audit WHERE launch_id = ?`, l.ID)
	assert.ErrorContains(t, err, "append-only")
}

// TestAuditKeepsEventFields: what a change returns is what the log reads
// back, and the subject column keeps its text for a person reading the table.
func TestAuditKeepsEventFields(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))
	events := []launch.Event{
		{Actor: "UDORA", Kind: launch.KindTick, Items: []int{4}, Before: "open", After: "done"},
		{Actor: "UCREATOR", Kind: launch.KindOwner, Section: "Security", Before: "", After: "USEC"},
		{Actor: "USEC", Kind: launch.KindVerdict, Role: "Security Lead", Before: "pending", After: "approved"},
	}
	_, err := s.Update(ctx, l.ID, func(*launch.Launch, time.Time) ([]launch.Event, error) { return events, nil })
	require.NoError(t, err)
	audit, err := s.Audit(ctx, l.ID)
	require.NoError(t, err)
	require.Len(t, audit, 4)
	for i, e := range audit[1:] {
		assert.Equal(t, events[i], e.Event)
		var subject string
		require.NoError(t, s.reader.QueryRowContext(ctx, `SELECT subject FROM audit WHERE id = ?`, e.ID).Scan(&subject))
		assert.Equal(t, events[i].Subject(), subject)
	}
}
