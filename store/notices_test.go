package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestNoticeIsClaimedOnceAndForgotten(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunchWithNotice(ctx, l, "UCLI", "launch started"))

	// A second process (the bot) on the same file.
	other, err := Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	other.Now = s.Now

	got, err := other.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, []launch.Notice{{LaunchID: l.ID, Text: "launch started"}}, got)
	again, err := s.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	assert.Empty(t, again, "a claimed notice is nobody else's")

	now = now.Add(2 * time.Minute)
	lapsed, err := s.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	assert.Len(t, lapsed, 1, "a claim that posted nothing lapses")

	require.NoError(t, s.NoticePosted(ctx, got[0]))
	now = now.Add(time.Hour)
	gone, err := other.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	assert.Empty(t, gone)
}

func TestLaunchWithNoticeRefusedLeavesNoNotice(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	require.NoError(t, s.CreateLaunch(ctx, fullLaunch("C1"), "U1"))
	err := s.CreateLaunchWithNotice(ctx, fullLaunch("C1"), "UCLI", "launch started")
	assert.Equal(t, launch.ECONFLICT, launch.ErrorCode(err))
	got, err := s.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestOpenCurrentRefusesAnOlderSchema(t *testing.T) {
	ctx := context.Background()
	ms, err := embeddedMigrations()
	require.NoError(t, err)
	path, _ := oldDatabase(t, len(ms)-1) // one migration behind this build
	before := stateOf(t, path)
	_, err = OpenCurrent(ctx, path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Upgrade the server first")
	assert.Equal(t, before, stateOf(t, path), "the file is left as it was")

	s, err := Open(ctx, path) // the server upgrades it
	require.NoError(t, err)
	require.NoError(t, s.Close())
	cur, err := OpenCurrent(ctx, path)
	require.NoError(t, err)
	require.NoError(t, cur.Close())
}

func TestUpdateWithNoticeKeepsANoticeThatGrowsWhilePosted(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunchWithNotice(ctx, l, "UCLI", "launch started"))
	claimed, err := s.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	rename := func(l *launch.Launch, _ time.Time) ([]launch.Event, error) {
		l.Name = "Renamed"
		return []launch.Event{{Actor: "UCLI", Action: "rename", Subject: "launch", After: "Renamed"}}, nil
	}
	_, err = s.UpdateWithNotice(ctx, l.ID, rename, func(l *launch.Launch) string { return "now " + l.Name })
	require.NoError(t, err)
	// Nothing changed, nothing to tell.
	_, err = s.UpdateWithNotice(ctx, l.ID, func(*launch.Launch, time.Time) ([]launch.Event, error) { return nil, nil },
		func(*launch.Launch) string { return "never" })
	require.NoError(t, err)

	require.NoError(t, s.NoticePosted(ctx, claimed[0]))
	rest, err := s.ClaimNotices(ctx, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, []launch.Notice{{LaunchID: l.ID, Text: "now Renamed"}}, rest, "what was added while the first was posted waits")
	require.NoError(t, s.NoticePosted(ctx, rest[0]))
	none, err := s.ClaimNotices(ctx, time.Hour)
	require.NoError(t, err)
	assert.Empty(t, none)
}
