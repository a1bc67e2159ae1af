package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/probe"
)

// Figures of BenchmarkProbes500.
const (
	benchProbes       = 500
	benchProbeTimeout = time.Second
	benchTickers      = 8
)

// BenchmarkProbes500 runs 500 probes due at once, one launch's, against a
// local server: 400 answer at once, 50 after 300 ms, 50 never (each is cut
// at its 1 s timeout). Meanwhile 8 clients tick and untick the items of
// another launch through slash commands. It reports how long the run
// took, and the ticks' latency with and without it: the probes must all
// end within their timeouts, and ticks must not slow down.
func BenchmarkProbes500(b *testing.B) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/slow"):
			time.Sleep(300 * time.Millisecond)
		case strings.HasPrefix(r.URL.Path, "/hang"):
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	defer close(release)
	allow, err := probe.ParseAllow("*.example.com,127.0.0.1")
	require.NoError(b, err)
	runner, err := probe.New(probe.Config{Allow: allow, Now: time.Now, Resolver: localNames{}, Timeout: benchProbeTimeout})
	require.NoError(b, err)
	h := newHarness(b, func(c *Config) {
		c.Logger = newJSONLogger(io.Discard)
		c.RefreshDelay = defaultRefreshDelay
		c.Probes = runner
	})
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	var md strings.Builder
	md.WriteString("# Probes\n\n## Checks\n\n")
	for i := range benchProbes {
		path := "ok"
		switch {
		case i%10 == 3:
			path = "slow"
		case i%10 == 7:
			path = "hang"
		}
		fmt.Fprintf(&md, "- [ ] Check %d <!-- golive: http http://svc.example.com:%s/%s/%d -->\n", i, port, path, i)
	}
	list, _, err := checklist.Parse([]byte(md.String()))
	require.NoError(b, err)
	probed := &launch.Launch{TeamID: testTeam, ChannelID: "CPROBES", Name: "Probes", Date: "2026-12-01",
		Timezone: "Europe/Paris", Creator: creator, Checklist: list}
	require.Len(b, probed.Probes(), benchProbes)
	require.NoError(b, h.store.CreateLaunch(context.Background(), probed, creator))
	h.newLaunch() // in testChan: the launch the clients tick

	// tickWhile ticks and unticks items of ticked from benchTickers clients
	// until stop is closed, and returns the acknowledgements' latencies.
	tickWhile := func(stop <-chan struct{}) []time.Duration {
		var mu sync.Mutex
		var lats []time.Duration
		var wg sync.WaitGroup
		var seq atomic.Int64
		for c := range benchTickers {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					verb := "tick"
					if i%2 == 1 {
						verb = "untick"
					}
					n := 1 + c + benchTickers*int(seq.Add(1)%10)
					t0 := time.Now()
					status := h.signedPost("/slack/commands", h.commandForm(creator, fmt.Sprintf("%s %d", verb, n)))
					if status == http.StatusOK {
						mu.Lock()
						lats = append(lats, time.Since(t0))
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		return lats
	}

	// Each round ticks alone for as long as the run before took, then
	// during a run: the two are measured side by side, on the same load.
	b.ResetTimer()
	var walls, alone, during []time.Duration
	last := 2 * benchProbeTimeout
	for range b.N {
		stop := make(chan struct{})
		time.AfterFunc(last, func() { close(stop) })
		alone = append(alone, tickWhile(stop)...)

		stop = make(chan struct{})
		var lats []time.Duration
		done := make(chan struct{})
		go func() { lats = tickWhile(stop); close(done) }()
		t0 := time.Now()
		run, err := h.bot.RunProbes(context.Background(), probed.ID, "bench")
		last = time.Since(t0)
		walls = append(walls, last)
		close(stop)
		<-done
		during = append(during, lats...)
		require.NoError(b, err)
		require.Equal(b, benchProbes, run.Recorded, "every probe finished and was recorded")
		require.Equal(b, benchProbes-benchProbes/10, run.Passed, "the hanging ones failed at their timeout")
	}
	b.StopTimer()
	h.bot.Close()
	for _, w := range walls {
		// 64 at once, the slowest cut at 1 s: the run takes about 1 s.
		require.Less(b, w, 3*benchProbeTimeout, "the probes end within their timeouts")
	}
	b.ReportMetric(ms(percentile(walls, 50)), "run-ms")
	b.ReportMetric(ms(percentile(alone, 50)), "tick-p50-ms-alone")
	b.ReportMetric(ms(percentile(alone, 99)), "tick-p99-ms-alone")
	b.ReportMetric(ms(percentile(during, 50)), "tick-p50-ms-probing")
	b.ReportMetric(ms(percentile(during, 99)), "tick-p99-ms-probing")
}
