package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsoleTablesKeepMessagesAndSettings(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	require.NoError(t, s.PrepareConsole(ctx))
	require.NoError(t, s.PrepareConsole(ctx), "preparing twice is harmless")

	require.NoError(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000002", []byte(`{"text":"second"}`)))
	require.NoError(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000001", []byte(`{"text":"first"}`)))
	require.NoError(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000002", []byte(`{"text":"second, edited"}`)))
	require.NoError(t, s.SaveConsoleMessage(ctx, "D1", "1700000000.000003", []byte(`{"text":"a DM"}`)))
	assert.Error(t, s.SaveConsoleMessage(ctx, "C1", "1700000000.000004", []byte(`not json`)), "documents are JSON")
	require.NoError(t, s.DeleteConsoleMessage(ctx, "D1", "1700000000.000003"))
	require.NoError(t, s.DeleteConsoleMessage(ctx, "D1", "no-such-ts"), "forgetting an unknown message is no error")

	v, err := s.ConsoleSetting(ctx, "clock_offset_ms")
	require.NoError(t, err)
	assert.Empty(t, v, "an unset setting reads empty")
	require.NoError(t, s.SetConsoleSetting(ctx, "clock_offset_ms", "1000"))
	require.NoError(t, s.SetConsoleSetting(ctx, "clock_offset_ms", "259200000"))
	require.NoError(t, s.Close())

	again, err := Open(ctx, path)
	require.NoError(t, err)
	defer again.Close()
	docs, err := again.ConsoleMessages(ctx)
	require.NoError(t, err)
	var texts []string
	for _, d := range docs {
		texts = append(texts, string(d))
	}
	assert.Equal(t, []string{`{"text":"first"}`, `{"text":"second, edited"}`}, texts)
	v, err = again.ConsoleSetting(ctx, "clock_offset_ms")
	require.NoError(t, err)
	assert.Equal(t, "259200000", v)
}
