package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// approvalsStore opens a fresh database holding one launch with one role.
func approvalsStore(t *testing.T) (*store.Store, *launch.Launch) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "golive.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	l := atlas()
	require.NoError(t, s.CreateLaunch(ctx, l, "UBOSS"))
	return s, l
}

// atlas is a launch with one item and one role, held by USEC.
func atlas() *launch.Launch {
	return &launch.Launch{
		TeamID: "T1", ChannelID: "C1", Name: "Atlas", Date: "2026-12-01", Timezone: "UTC", Creator: "UBOSS",
		Checklist: &checklist.Checklist{
			Sections: []*checklist.Section{{Title: "Security", Kind: checklist.KindReadiness,
				Groups: []*checklist.Group{{Items: []*checklist.Item{{Number: 1, Text: "WAF"}}}}}},
			Roles: []*checklist.Role{{Name: "Security Lead", Holder: "USEC", Verdict: checklist.VerdictPending}},
		},
	}
}

func TestApprovalDMsAreKeptPerLaunchAndRole(t *testing.T) {
	ctx := context.Background()
	s, l := approvalsStore(t)
	asked := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

	_, err := s.ApprovalDM(ctx, l.ID, "Security Lead")
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "nothing sent yet")

	first := launch.ApprovalDM{LaunchID: l.ID, Role: "Security Lead", Holder: "USEC", ChannelID: "D1", TS: "1.1", AskedAt: asked}
	require.NoError(t, s.SaveApprovalDM(ctx, first))
	got, err := s.ApprovalDM(ctx, l.ID, "security lead")
	require.NoError(t, err, "role names compare without case")
	assert.Equal(t, first, got)

	second := launch.ApprovalDM{LaunchID: l.ID, Role: "Security Lead", Holder: "UNEW", ChannelID: "D2", TS: "2.2", AskedAt: asked.Add(time.Hour)}
	require.NoError(t, s.SaveApprovalDM(ctx, second))
	all, err := s.ApprovalDMs(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, []launch.ApprovalDM{second}, all, "the latest request replaces the previous one")

	err = s.SaveApprovalDM(ctx, launch.ApprovalDM{LaunchID: 999, Role: "X", Holder: "U", ChannelID: "D", TS: "1"})
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Error(t, s.SaveApprovalDM(ctx, launch.ApprovalDM{LaunchID: l.ID, Role: "X"}), "incomplete reference")
}

func TestStaleNoticeIsToldOncePerAnnouncement(t *testing.T) {
	ctx := context.Background()
	s, l := approvalsStore(t)
	key := fmt.Sprintf("stale:%d:1764061200000", l.ID)
	tellStale := func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		l.Tell(launch.Post{Key: key, Kind: launch.PostStaleNotice, Channel: l.ChannelID, Body: []byte(`{"text":"stale"}`)})
		return nil, nil
	}
	told, err := s.Told(ctx, key)
	require.NoError(t, err)
	assert.False(t, told)

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Update(ctx, l.ID, tellStale)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	posts, err := s.Posts(ctx, l.ID)
	require.NoError(t, err)
	assert.Len(t, posts, 1)
	told, err = s.Told(ctx, key)
	require.NoError(t, err)
	assert.True(t, told)
}
