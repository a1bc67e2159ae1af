package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/internal/launch"
)

// benchClients is how many clients send signed requests at once.
const benchClients = 32

// runClients runs n requests over benchClients goroutines; each request is
// do(client, i) and returns whether it was acknowledged. It returns the
// latencies of the acknowledged ones and the wall time.
func runClients(b *testing.B, n int, do func(client, i int) bool) ([]time.Duration, time.Duration) {
	var (
		mu   sync.Mutex
		lats []time.Duration
		next atomic.Int64
		wg   sync.WaitGroup
	)
	start := time.Now()
	for c := range benchClients {
		wg.Go(func() {
			var mine []time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				t0 := time.Now()
				if do(c, i) {
					mine = append(mine, time.Since(t0))
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lats, time.Since(start)
}

// percentile returns the p-th percentile (0-100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkCommandAck measures how fast slash commands are acknowledged:
// 32 clients send signed `status` commands (a database read before the ack,
// a chat.postMessage and a record after it) to the HTTP handler.
func BenchmarkCommandAck(b *testing.B) {
	h := newHarness(b, func(c *Config) { c.Logger = newJSONLogger(io.Discard) })
	h.newLaunch()
	forms := make([][]byte, b.N)
	for i := range forms {
		forms[i] = h.commandForm("UEVE", "status")
	}
	client := h.srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = benchClients

	b.ResetTimer()
	lats, wall := runClients(b, b.N, func(_, i int) bool {
		return h.signedPost("/slack/commands", forms[i]) == http.StatusOK
	})
	b.StopTimer()
	require.Len(b, lats, b.N, "every command acknowledged")
	h.bot.Close()
	b.ReportMetric(ms(percentile(lats, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lats, 99)), "p99-ms")
	b.ReportMetric(float64(b.N)/wall.Seconds(), "acks/s")
}

// BenchmarkTicks measures sustained checkbox clicks: 32 clients each tick
// and untick their own items through signed block_actions. Every
// acknowledged click must be stored exactly once (counted in the audit
// log), and chat.update calls per tick are reported.
func BenchmarkTicks(b *testing.B) {
	h := newHarness(b, func(c *Config) {
		c.Logger = newJSONLogger(io.Discard)
		c.RefreshDelay = defaultRefreshDelay
	})
	l := h.newLaunch()
	ts := h.postChecklist("")
	client := h.srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = benchClients

	spots := tickSpots(l)
	require.GreaterOrEqual(b, len(spots), benchClients)
	done := make([]bool, len(spots)) // what each client believes; each item has one client
	callsBefore := h.slack.total()
	auditBefore := tickEvents(b, h, l.ID)

	b.ResetTimer()
	var refused atomic.Int64
	lats, wall := runClients(b, b.N, func(c, i int) bool {
		// Client c owns spots c, c+32, c+64 ...; its i-th click goes round them.
		mine := (len(spots) - c + benchClients - 1) / benchClients
		idx := c + benchClients*((i/benchClients)%mine)
		s := spots[idx]
		if h.signedPost("/slack/interactions", h.tickPayload(b, testChan, ts, s, done[idx])) != http.StatusOK {
			refused.Add(1)
			return false
		}
		done[idx] = !done[idx]
		return true
	})
	b.StopTimer()
	h.bot.Close()

	acked := len(lats)
	require.Zero(b, refused.Load())
	require.Equal(b, acked, tickEvents(b, h, l.ID)-auditBefore, "each acknowledged tick stored exactly once")
	stored := h.launch()
	for i, s := range spots {
		require.Equal(b, done[i], stored.Checklist.Item(s.n).Done, "item %d", s.n)
	}
	b.ReportMetric(float64(acked)/wall.Seconds(), "ticks/s")
	b.ReportMetric(ms(percentile(lats, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lats, 99)), "p99-ms")
	b.ReportMetric(float64(h.slack.total()-callsBefore)/float64(acked), "api-calls/tick")
}

// benchLaunches is how many launches BenchmarkTicksManyLaunches runs at once.
const benchLaunches = 200

// BenchmarkTicksManyLaunches is BenchmarkTicks spread over a busy morning:
// 200 launches of the web template (252 items each, 50 400 in all), each in
// its own channel with its checklist posted, and 32 clients each clicking
// a random item of a random launch. Client c clicks only the items at
// positions c, c+32 ... of each launch, so that what it believes of them
// stays true; every acknowledged click must be stored exactly once.
func BenchmarkTicksManyLaunches(b *testing.B) {
	h := newHarness(b, func(c *Config) {
		c.Logger = newJSONLogger(io.Discard)
		c.RefreshDelay = defaultRefreshDelay
	})
	client := h.srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = benchClients
	boards := h.tickBoards(b, "CMANY", benchLaunches)
	auditBefore := storedTicks(b, h, boards)
	callsBefore := h.slack.total()
	rngs := make([]*rand.Rand, benchClients)
	for c := range rngs {
		rngs[c] = rand.New(rand.NewPCG(uint64(c), 12))
	}

	b.ResetTimer()
	var refused atomic.Int64
	lats, wall := runClients(b, b.N, func(c, _ int) bool {
		if !h.clickAtRandom(b, boards, c, benchClients, rngs[c]) {
			refused.Add(1)
			return false
		}
		return true
	})
	b.StopTimer()
	h.bot.Close()

	acked := len(lats)
	require.Zero(b, refused.Load())
	require.Equal(b, acked, storedTicks(b, h, boards)-auditBefore, "each acknowledged tick stored exactly once")
	b.ReportMetric(float64(acked)/wall.Seconds(), "ticks/s")
	b.ReportMetric(ms(percentile(lats, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lats, 99)), "p99-ms")
	b.ReportMetric(float64(h.slack.total()-callsBefore)/float64(acked), "api-calls/tick")
}

// tickBoard is a launch with its checklist posted, and what the clients
// clicking it believe of its items.
type tickBoard struct {
	id          int64
	channel, ts string
	spots       []tickSpot
	done        []bool
}

// tickBoards starts n launches with their checklists posted, in channels
// prefix000, prefix001 ...
func (h *harness) tickBoards(tb testing.TB, prefix string, n int) []*tickBoard {
	boards := make([]*tickBoard, n)
	for i := range boards {
		channel := fmt.Sprintf("%s%03d", prefix, i)
		l, ts := h.launchWithChecklist(channel, fmt.Sprintf("Launch %d", i))
		spots := tickSpots(l)
		require.GreaterOrEqual(tb, len(spots), benchClients)
		boards[i] = &tickBoard{id: l.ID, channel: channel, ts: ts, spots: spots, done: make([]bool, len(spots))}
	}
	return boards
}

// clickAtRandom is client c of clients clicking an item of a random board:
// only items c, c+clients ... of each, so that what it believes of them
// stays true. It tells whether the click was acknowledged.
func (h *harness) clickAtRandom(tb testing.TB, boards []*tickBoard, c, clients int, rng *rand.Rand) bool {
	bd := boards[rng.IntN(len(boards))]
	idx := c + clients*rng.IntN((len(bd.spots)-c+clients-1)/clients)
	if h.signedPost("/slack/interactions", h.tickPayload(tb, bd.channel, bd.ts, bd.spots[idx], bd.done[idx])) != http.StatusOK {
		return false
	}
	bd.done[idx] = !bd.done[idx]
	return true
}

// storedTicks checks that every item of boards is stored as its clicker
// believes, and returns how many tick and untick rows their audit logs hold.
func storedTicks(tb testing.TB, h *harness, boards []*tickBoard) int {
	n := 0
	for _, bd := range boards {
		n += tickEvents(tb, h, bd.id)
		l, err := h.store.LaunchByID(context.Background(), bd.id)
		require.NoError(tb, err)
		for i, s := range bd.spots {
			require.Equal(tb, bd.done[i], l.Checklist.Item(s.n).Done, "launch %d item %d", bd.id, s.n)
		}
	}
	return n
}

// tickSpot is where an item sits on a posted checklist: the block of its
// checkboxes element and the element's index.
type tickSpot struct {
	n     int
	block string
	k     int
}

// tickSpots returns every item of l with where it sits on the pages.
func tickSpots(l *launch.Launch) []tickSpot {
	var spots []tickSpot
	for si := range l.Checklist.Sections {
		for page := range render.Pages(l, si) {
			v := render.View{Section: si, Page: page}
			for k := 0; ; k++ {
				items, ok := render.ElementItems(l, v, k)
				if !ok {
					break
				}
				for _, n := range items {
					spots = append(spots, tickSpot{n: n, block: render.TickBlockID(v, k), k: k})
				}
			}
		}
	}
	return spots
}

// tickPayload is the form body of the creator's click on item s of the
// checklist message ts in channel, which showed it ticked when was.
func (h *harness) tickPayload(b testing.TB, channel, ts string, s tickSpot, was bool) []byte {
	option := map[string]any{"value": strconv.Itoa(s.n), "text": map[string]any{"type": "plain_text", "text": strconv.Itoa(s.n)}}
	box := map[string]any{"type": "checkboxes", "action_id": "tick:" + strconv.Itoa(s.k), "options": []any{option}}
	var selected []any
	if was {
		box["initial_options"] = []any{option}
	} else {
		selected = []any{option}
	}
	blocks := []map[string]any{{"type": "actions", "block_id": s.block, "elements": []any{box}}}
	p := h.blockActionIn(channel, creator, ts, blocks, map[string]any{
		"type": "checkboxes", "action_id": box["action_id"], "block_id": s.block, "selected_options": selected, "action_ts": "1.1",
	})
	return []byte(url.Values{"payload": {mustJSON(b, p)}}.Encode())
}

// tickEvents counts the tick and untick rows of a launch's audit log.
func tickEvents(b testing.TB, h *harness, id int64) int {
	entries, err := h.store.Audit(context.Background(), id)
	require.NoError(b, err)
	n := 0
	for _, e := range entries {
		if e.Is(launch.KindTick, launch.KindUntick) {
			n++
		}
	}
	return n
}

func mustJSON(b testing.TB, v any) string {
	js, err := json.Marshal(v)
	require.NoError(b, err)
	return string(js)
}

// signedPost posts body to path, signed now, and reads the answer through
// so that the connection is reused; it returns the status.
func (h *harness) signedPost(path string, body []byte) int {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackhttp.Sign(testSecret, ts, body))
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
