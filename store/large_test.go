package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/checklist/checklisttest"
	"github.com/golive/golive/internal/launch"
)

// largeSize is the size of the large checklist: the import's 1 MB limit.
const largeSize = 1 << 20

// importLarge does what an import does with md, as `golive import` and the
// import form's Confirm do: parse, check the texts' limits, validate, score
// and store the launch in channel, with its audit rows, in one transaction.
func importLarge(tb testing.TB, s *Store, md []byte, channel string) *launch.Launch {
	l, _ := importLargeTimed(tb, s, md, channel)
	return l
}

// importLargeTimed is importLarge, also returning how long the reading
// (parse, check, validate, score) took.
func importLargeTimed(tb testing.TB, s *Store, md []byte, channel string) (*launch.Launch, time.Duration) {
	start := time.Now()
	list, _, err := checklist.Parse(md)
	require.NoError(tb, err)
	require.NoError(tb, launch.CheckChecklist(list))
	l := &launch.Launch{TeamID: "T1", ChannelID: channel, Name: "Payments platform", Date: "2026-12-01", Time: "09:00",
		Timezone: "Europe/Paris", Creator: "UCREATOR", DatedAt: t0, Checklist: list}
	require.NoError(tb, l.Validate())
	checklist.Score(list)
	read := time.Since(start)
	require.NoError(tb, s.CreateLaunch(context.Background(), l, "UCREATOR"))
	return l, read
}

// BenchmarkImport1MB imports a 1 MB checklist (about 10 000 items, 66
// sections, 65 gates, 8 roles, 9 windows) into a launch per operation:
// parse, check, score, and the durable create (target: under a second). It
// reports the two parts: reading the document, and storing the launch.
func BenchmarkImport1MB(b *testing.B) {
	md := checklisttest.Large(largeSize)
	s, _ := openStore(b)
	s.Now = time.Now
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	i := 0
	var read, total time.Duration
	for b.Loop() {
		i++
		start := time.Now()
		_, r := importLargeTimed(b, s, md, fmt.Sprintf("C%d", i))
		total += time.Since(start)
		read += r
	}
	b.ReportMetric(float64(read.Milliseconds())/float64(i), "read-ms/op")
	b.ReportMetric(float64((total-read).Milliseconds())/float64(i), "store-ms/op")
}

// TestLargeChecklistStored: the 1 MB checklist is stored whole and read
// back the same.
func TestLargeChecklistStored(t *testing.T) {
	md := checklisttest.Large(largeSize)
	require.LessOrEqual(t, len(md), largeSize)
	require.Greater(t, len(md), largeSize-64<<10, "about 1 MB")
	s, _ := openStore(t)
	l := importLarge(t, s, md, "C1")
	assert.Greater(t, len(l.Checklist.Items()), 9000)
	assert.Greater(t, len(l.Checklist.Sections), 60)
	assert.Greater(t, len(l.Checklist.Gates), 60)
	assert.Len(t, l.Checklist.Roles, 8)
	assert.Len(t, l.Checklist.Windows, 9)

	got, err := s.LaunchByChannel(context.Background(), "T1", "C1")
	require.NoError(t, err)
	require.Equal(t, len(l.Checklist.Items()), len(got.Checklist.Items()))
	for i, it := range l.Checklist.Items() {
		g := got.Checklist.Items()[i]
		assert.Equal(t, [3]any{it.Number, it.Text, it.Done}, [3]any{g.Number, g.Text, g.Done})
	}
	assert.Equal(t, l.Checklist.Gates, got.Checklist.Gates)
	assert.Equal(t, checklist.Score(l.Checklist).Decision, checklist.Score(got.Checklist).Decision)
}
