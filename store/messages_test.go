package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

func TestMessagesRoundTrip(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	l := fullLaunch("C1")
	require.NoError(t, s.CreateLaunch(ctx, l, "UCREATOR"))

	first := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000100", Kind: launch.MessageChecklist, View: "0.0", PostedAt: t0}
	second := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000200", Kind: launch.MessageStatus, PostedAt: t0.Add(time.Minute)}
	reminder := launch.Message{LaunchID: l.ID, ChannelID: "C1", TS: "1700000000.000050", Kind: launch.MessageReminder, View: "1.2", PostedAt: t0.Add(-time.Hour)}
	require.NoError(t, s.SaveMessage(ctx, first))
	require.NoError(t, s.SaveMessage(ctx, second))
	require.NoError(t, s.SaveMessage(ctx, reminder))

	got, err := s.Message(ctx, "C1", first.TS)
	require.NoError(t, err)
	assert.Equal(t, first, got)
	got, err = s.Message(ctx, "C1", reminder.TS)
	require.NoError(t, err)
	assert.Equal(t, reminder, got, "a window's reminder keeps its kind and window key")

	live, err := s.LiveMessages(ctx, l.ID, 5)
	require.NoError(t, err)
	assert.Equal(t, []launch.Message{second, first, reminder}, live, "newest first")

	live, err = s.LiveMessages(ctx, l.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, []launch.Message{second}, live)

	// Saving again changes the view and keeps the time it was first posted.
	moved := first
	moved.View, moved.PostedAt = "2.1", t0.Add(time.Hour)
	require.NoError(t, s.SaveMessage(ctx, moved))
	got, err = s.Message(ctx, "C1", first.TS)
	require.NoError(t, err)
	assert.Equal(t, "2.1", got.View)
	assert.Equal(t, t0, got.PostedAt)

	require.NoError(t, s.DeleteMessage(ctx, "C1", first.TS))
	require.NoError(t, s.DeleteMessage(ctx, "C1", first.TS), "forgetting twice is fine")
	_, err = s.Message(ctx, "C1", first.TS)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}

func TestSaveMessageRefusesBadRecords(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()

	err := s.SaveMessage(ctx, launch.Message{LaunchID: 999, ChannelID: "C1", TS: "1.2", Kind: launch.MessageStatus})
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err), "no such launch")
	assert.Error(t, s.SaveMessage(ctx, launch.Message{LaunchID: 1, ChannelID: "C1", Kind: launch.MessageStatus}), "no ts")
	assert.Error(t, s.SaveMessage(ctx, launch.Message{LaunchID: 1, ChannelID: "C1", TS: "1.2", Kind: "poll"}), "unknown kind")
}
