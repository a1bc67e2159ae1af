package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/store"
)

const (
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testTeam   = "T1"
	testChan   = "C1"
	creator    = "UCREATOR"
)

// testNow is the bot's clock in tests: launches are dated after it.
var testNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// harness runs the real bot handler over HTTP against a real SQLite store
// and a fake Slack Web API.
type harness struct {
	t     testing.TB
	store *store.Store
	path  string // the SQLite file
	slack *fakeSlack
	bot   *Bot
	srv   *httptest.Server
	logs  *syncBuffer
	seq   atomic.Int64
	// stopSender stops the outbox's sender and waits for it.
	stopSender func()
}

// harnessOption adjusts the bot's configuration.
type harnessOption func(*Config)

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	return startHarness(t, filepath.Join(t.TempDir(), "golive.db"), newFakeSlack(t), opts...)
}

// startHarness runs a bot on the SQLite file at path, talking to fake.
func startHarness(t testing.TB, path string, fake *fakeSlack, opts ...harnessOption) *harness {
	t.Helper()
	return startHarnessAt(t, path, fake, nil, opts...)
}

// startHarnessAt is startHarness with the store's clock, when not nil, set
// before anything runs on the store.
func startHarnessAt(t testing.TB, path string, fake *fakeSlack, storeNow func() time.Time, opts ...harnessOption) *harness {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	if storeNow != nil {
		st.Now = storeNow
	}
	logs := &syncBuffer{}
	limits := NewRateLimits(nil, newJSONLogger(logs))
	var cfg Config
	cfg = Config{
		Store: st,
		// The fence of the bot's posts reads the bot's clock, as in
		// production (where delivery's is the same).
		Slack:        fake.client(limits, func() time.Time { return cfg.Now() }),
		Limits:       limits,
		Timezone:     "Europe/Paris",
		Now:          func() time.Time { return testNow },
		Logger:       newJSONLogger(logs),
		RefreshDelay: 50 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	b, err := New(cfg)
	require.NoError(t, err)
	h := &harness{t: t, store: st, path: path, slack: fake, bot: b, logs: logs}
	// The outbox's sender runs as in production, on the bot's clock. (Its
	// reminders are planned by the tests that set a scheduler.)
	sender, err := delivery.New(delivery.Config{Store: st, Renderer: b.ReminderRenderer(schedule.DefaultTimeOfDay),
		Transport: b.OutboxTransport(), Now: cfg.Now, MaxWait: 50 * time.Millisecond, Logger: cfg.Logger})
	require.NoError(t, err)
	b.SetDelivery(outboxOnly{sender})
	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		sender.Run(ctx)
	}()
	h.stopSender = func() {
		cancel()
		<-sent
	}
	h.srv = httptest.NewServer(slackhttp.Handler(b, testSecret))
	t.Cleanup(func() {
		h.srv.Close()
		h.stopSender()
		b.Close()
		require.NoError(t, st.Close())
	})
	return h
}

// outboxOnly is the harness's own delivery: it sends the outbox and plans
// no reminders; the tests that want them planned say so (withScheduler,
// drive).
type outboxOnly struct{ *delivery.Delivery }

func (outboxOnly) Sync(context.Context, int64) error { return nil }

// sender returns a delivery of h's bot on h's database (reminders and
// outbox), driven by RunDue on the clock now, configured by opts. Stop h's
// own sender first (stopSender) to have the outbox to oneself.
func (h *harness) sender(now func() time.Time, opts ...func(*delivery.Config)) *delivery.Delivery {
	h.t.Helper()
	cfg := delivery.Config{Store: h.store, Renderer: h.bot.ReminderRenderer(schedule.DefaultTimeOfDay),
		Transport: h.bot.OutboxTransport(), Now: now, Logger: h.bot.log,
		RenewAfter: func(time.Duration) <-chan time.Time { return nil }}
	if h.bot.ProbesOn() {
		cfg.Prober = h.bot
	}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := delivery.New(cfg)
	require.NoError(h.t, err)
	return s
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// another starts a second golive on h's database and fake Slack, with its
// own store, bot and HTTP server: another instance, or, once h is stopped,
// h restarted. The store keeps h's store's clock.
func (h *harness) another(opts ...harnessOption) *harness {
	h.t.Helper()
	o := startHarnessAt(h.t, h.path, h.slack, h.store.Now, opts...)
	o.seq.Store(h.seq.Load() + 1_000_000) // its trigger ids are its own
	return o
}

// stop shuts h down as a process exit would: its server, bot and store.
func (h *harness) stop() {
	h.t.Helper()
	h.srv.Close()
	h.stopSender()
	h.bot.Close()
	require.NoError(h.t, h.store.Close())
}

// signedRequest is a request as Slack sent it, signed: what an attacker on
// the path could capture and send again within the signature's 5 minutes.
type signedRequest struct {
	path    string
	body    []byte
	headers map[string]string
}

// capture signs body for path now, without sending it.
func capture(path string, body []byte) signedRequest {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return signedRequest{path: path, body: body, headers: map[string]string{
		"X-Slack-Request-Timestamp": ts,
		"X-Slack-Signature":         slackhttp.Sign(testSecret, ts, body),
	}}
}

// captureInteraction signs an interaction payload now, without sending it.
func (h *harness) captureInteraction(payload any) signedRequest {
	h.t.Helper()
	js, err := json.Marshal(payload)
	require.NoError(h.t, err)
	return capture("/slack/interactions", []byte(url.Values{"payload": {string(js)}}.Encode()))
}

// captureCommand signs "/golive text" as user now, without sending it.
func (h *harness) captureCommand(user, text string) signedRequest {
	return capture("/slack/commands", h.commandForm(user, text))
}

// send posts a captured request, byte for byte, to h.
func (h *harness) send(r signedRequest) ack {
	h.t.Helper()
	return readAck(h.t, h.postWith(r.path, r.body, r.headers))
}

// storePath is the SQLite file under the bot, for tests that open it directly.
func (h *harness) storePath() string { return h.path }

// post sends body to path, signed now with the test secret.
func (h *harness) post(path string, body []byte) *http.Response {
	h.t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return h.postWith(path, body, map[string]string{
		"X-Slack-Request-Timestamp": ts,
		"X-Slack-Signature":         slackhttp.Sign(testSecret, ts, body),
	})
}

// postWith sends body to path with the given headers, signed or not.
func (h *harness) postWith(path string, body []byte, headers map[string]string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	require.NoError(h.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	require.NoError(h.t, err)
	h.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// commandForm is a slash command's form body.
func (h *harness) commandForm(user, text string) []byte {
	return h.commandFormIn(testChan, user, text)
}

// commandFormIn is commandForm for a command sent in channel.
func (h *harness) commandFormIn(channel, user, text string) []byte {
	n := h.seq.Add(1)
	return []byte(url.Values{
		"team_id":      {testTeam},
		"channel_id":   {channel},
		"user_id":      {user},
		"user_name":    {strings.ToLower(strings.TrimPrefix(user, "U"))},
		"command":      {"/golive"},
		"text":         {text},
		"response_url": {h.slack.responseURL("cmd" + strconv.FormatInt(n, 10))},
		"trigger_id":   {"trigger" + strconv.FormatInt(n, 10)},
	}.Encode())
}

// ack is a decoded acknowledgement.
type ack struct {
	Status int
	Body   []byte
	Answer commandAnswer
}

// command sends "/golive text" as user and returns the acknowledgement.
func (h *harness) command(user, text string) ack {
	h.t.Helper()
	resp := h.post("/slack/commands", h.commandForm(user, text))
	return readAck(h.t, resp)
}

func readAck(t testing.TB, resp *http.Response) ack {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := ack{Status: resp.StatusCode, Body: body}
	if len(body) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var raw struct {
			ResponseType string          `json:"response_type"`
			Text         string          `json:"text"`
			Blocks       json.RawMessage `json:"blocks"`
		}
		require.NoError(t, json.Unmarshal(body, &raw))
		a.Answer.ResponseType, a.Answer.Text = raw.ResponseType, raw.Text
	}
	return a
}

// interact sends an interaction payload, signed, and returns the acknowledgement.
func (h *harness) interact(payload any) ack {
	h.t.Helper()
	js, err := json.Marshal(payload)
	require.NoError(h.t, err)
	resp := h.post("/slack/interactions", []byte(url.Values{"payload": {string(js)}}.Encode()))
	return readAck(h.t, resp)
}

// newLaunch starts the default launch in the test channel.
func (h *harness) newLaunch() *launch.Launch {
	h.t.Helper()
	a := h.command(creator, `new "Checkout v2" 2026-12-01`)
	require.Equal(h.t, http.StatusOK, a.Status)
	require.Equal(h.t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	l, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	require.NoError(h.t, err)
	return l
}

// launchWithChecklist starts a launch named name in channel, posts its
// checklist there, and returns it with the checklist message's ts.
func (h *harness) launchWithChecklist(channel, name string) (*launch.Launch, string) {
	h.t.Helper()
	ctx := context.Background()
	a := readAck(h.t, h.post("/slack/commands", h.commandFormIn(channel, creator, fmt.Sprintf(`new "%s" 2026-12-01`, name))))
	require.Equal(h.t, "in_channel", a.Answer.ResponseType, a.Answer.Text)
	l, err := h.store.LaunchByChannel(ctx, testTeam, channel)
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, readAck(h.t, h.post("/slack/commands", h.commandFormIn(channel, creator, "checklist"))).Status)
	var ts string
	require.Eventually(h.t, func() bool {
		msgs, err := h.store.LiveMessages(ctx, l.ID, liveMessages)
		require.NoError(h.t, err)
		for _, m := range msgs {
			if m.Kind == launch.MessageChecklist {
				ts = m.TS
			}
		}
		return ts != ""
	}, 10*time.Second, 5*time.Millisecond, "the checklist of %s is posted", name)
	return l, ts
}

// launch reloads the test channel's launch.
func (h *harness) launch() *launch.Launch {
	h.t.Helper()
	l, err := h.store.LaunchByChannel(context.Background(), testTeam, testChan)
	require.NoError(h.t, err)
	return l
}

// postChecklist posts the checklist (section ref optional) and returns its ts.
func (h *harness) postChecklist(args string) string {
	h.t.Helper()
	// The latest post that is not the outbox's: a notice may go out meanwhile.
	ours := func(m fakeMessage) bool { return !strings.Contains(m.Metadata, PostEventType) }
	before := h.slack.lastTSOf(ours)
	a := h.command(creator, strings.TrimSpace("checklist "+args))
	require.Equal(h.t, http.StatusOK, a.Status)
	require.Eventually(h.t, func() bool { return h.slack.lastTSOf(ours) != before }, 5*time.Second, 5*time.Millisecond)
	ts := h.slack.lastTSOf(ours)
	require.Eventually(h.t, func() bool {
		_, err := h.store.Message(context.Background(), testChan, ts)
		return err == nil
	}, 5*time.Second, 5*time.Millisecond, "the posted checklist is recorded")
	return ts
}

// toggle builds the block_actions payload Slack sends when user flips item
// n on the message ts as the fake holds it now: the element's whole
// selection after the click, and the message as it stands.
func (h *harness) toggle(user, ts string, n int) map[string]any {
	h.t.Helper()
	msg, ok := h.slack.message(ts)
	require.True(h.t, ok, "message %s exists", ts)
	var blocks []map[string]any
	require.NoError(h.t, json.Unmarshal([]byte(msg.Blocks), &blocks))
	num := strconv.Itoa(n)
	for _, b := range blocks {
		for _, el := range elementsOf(b) {
			if el["type"] != "checkboxes" {
				continue
			}
			var has bool
			for _, o := range el["options"].([]any) {
				if o.(map[string]any)["value"] == num {
					has = true
				}
			}
			if !has {
				continue
			}
			var selected []map[string]any
			found := false
			if init, ok := el["initial_options"].([]any); ok {
				for _, o := range init {
					om := o.(map[string]any)
					if om["value"] == num {
						found = true
						continue
					}
					selected = append(selected, om)
				}
			}
			if !found {
				selected = append(selected, map[string]any{"value": num, "text": map[string]any{"type": "plain_text", "text": num}})
			}
			return h.blockAction(user, ts, blocks, map[string]any{
				"type": "checkboxes", "action_id": el["action_id"], "block_id": b["block_id"],
				"selected_options": selected, "action_ts": "1.1",
			})
		}
	}
	h.t.Fatalf("item %d is not on message %s", n, ts)
	return nil
}

// blockAction wraps one action in a block_actions payload.
func (h *harness) blockAction(user, ts string, blocks []map[string]any, action map[string]any) map[string]any {
	return h.blockActionIn(testChan, user, ts, blocks, action)
}

// blockActionIn is blockAction on a message of channel.
func (h *harness) blockActionIn(channel, user, ts string, blocks []map[string]any, action map[string]any) map[string]any {
	n := h.seq.Add(1)
	return map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": testTeam},
		"user":         map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "message_ts": ts, "channel_id": channel},
		"message":      map[string]any{"ts": ts, "blocks": blocks},
		"response_url": h.slack.responseURL("click" + strconv.FormatInt(n, 10)),
		"trigger_id":   "trigger-click",
		"actions":      []any{action},
	}
}

func elementsOf(block map[string]any) []map[string]any {
	var out []map[string]any
	if els, ok := block["elements"].([]any); ok {
		for _, e := range els {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	if acc, ok := block["accessory"].(map[string]any); ok {
		out = append(out, acc)
	}
	return out
}

// shownDone returns the item numbers a message shows ticked.
func shownDone(t testing.TB, m fakeMessage) map[int]bool {
	t.Helper()
	out := map[int]bool{}
	for _, b := range m.blocks(t) {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if box, ok := el.(*slack.CheckboxGroupsBlockElement); ok {
				for _, o := range box.InitialOptions {
					n, _ := strconv.Atoi(o.Value)
					out[n] = true
				}
			}
		}
	}
	return out
}

// firstItems returns the numbers of the first n items of section 0.
func firstItems(l *launch.Launch, n int) []int {
	var out []int
	for _, g := range l.Checklist.Sections[0].Groups {
		for _, it := range g.Items {
			if len(out) < n {
				out = append(out, it.Number)
			}
		}
	}
	return out
}

// newJSONLogger logs JSON lines to w, as production does.
func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// driven is a delivery (reminders and outbox) of h's bot that replaces h's
// background sender: it runs its passes every few milliseconds, so that
// what commands enqueue goes out, and runTo steps it through time with
// nothing in flight, which Run's loop cannot promise.
type driven struct {
	h  *harness
	mu sync.Mutex
	d  *delivery.Delivery
}

// drive stops h's background sender and starts a driven delivery on the
// clock now, which also plans the launches' reminders.
func (h *harness) drive(now func() time.Time) *driven {
	h.t.Helper()
	h.stopSender()
	dr := &driven{h: h, d: h.sender(now)}
	h.bot.SetDelivery(dr.d)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
			dr.mu.Lock()
			_, err := dr.d.RunDue(ctx)
			dr.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				h.t.Errorf("delivery pass: %v", err)
			}
		}
	}()
	h.stopSender = func() {
		cancel()
		<-done
	}
	return dr
}

// runTo works through every reminder and post due from now on, moving the
// clock with set to each due time, until end; the clock ends at end.
func (dr *driven) runTo(set func(time.Time), now func() time.Time, end time.Time) {
	dr.h.t.Helper()
	dr.mu.Lock()
	defer dr.mu.Unlock()
	ctx := context.Background()
	for {
		_, err := dr.d.RunDue(ctx)
		require.NoError(dr.h.t, err)
		next, ok, err := dr.d.NextAt(ctx)
		require.NoError(dr.h.t, err)
		if !ok || next.After(end) {
			set(end)
			_, err := dr.d.RunDue(ctx)
			require.NoError(dr.h.t, err)
			return
		}
		if next.After(now()) {
			set(next)
		}
	}
}
