package bot

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/webapi"
)

// fakeSlack is the one fake Slack, package webapi's workspace (where
// everyone exists), on an httptest server, with the words the bot's tests
// read it in. It records every call, keeps every message as Slack shows
// it, and can be told to answer a method with 429 (with Retry-After), 500,
// a Slack error, or slowly.
type fakeSlack struct {
	*webapi.Server
	dir *webapi.Open
	srv *httptest.Server
}

// fakeBotToken is the bot token of the fake's clients.
const fakeBotToken = webapi.DefaultToken

func newFakeSlack(t testing.TB) *fakeSlack {
	dir := &webapi.Open{}
	f := &fakeSlack{Server: webapi.New(webapi.Config{Directory: dir}), dir: dir}
	f.srv = httptest.NewServer(f.Server)
	t.Cleanup(f.srv.Close)
	return f
}

// down makes Slack unreachable: connections to it are refused (and those
// open are cut) until up.
func (f *fakeSlack) down() {
	f.srv.Listener.Close()
	f.srv.CloseClientConnections()
}

// up makes Slack reachable again, at the same address.
func (f *fakeSlack) up(t testing.TB) {
	ln, err := net.Listen("tcp", f.srv.Listener.Addr().String())
	if err != nil {
		t.Fatalf("listen again at %s: %v", f.srv.Listener.Addr(), err)
	}
	srv := &http.Server{Handler: f.Server}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// dmOf is a user's DM with golive in the fake: "D" and their id without
// its "U".
func dmOf(user string) string { return "D" + strings.TrimPrefix(user, "U") }

// apiURL is the base URL to give slack.OptionAPIURL.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// responseURL returns a response_url served by the fake.
func (f *fakeSlack) responseURL(name string) string { return f.srv.URL + "/response/" + name }

// client returns a Web API client for the fake, wired as production does:
// through limits, retrying connection errors and 5xx, and leaving 429s to
// the bot.
// Its fence reads now, the sender's clock (time.Now when nil).
func (f *fakeSlack) client(limits *RateLimits, now func() time.Time) *slack.Client {
	return f.clientWith("", fakeBotToken, limits, now)
}

// clientWith is client with another workspace's bot token, its calls
// counted against team's rate limits.
func (f *fakeSlack) clientWith(team, token string, limits *RateLimits, now func() time.Time) *slack.Client {
	if now == nil {
		now = time.Now
	}
	cfg := SlackRetryConfig(slack.RetryConfig{
		MaxRetries:     3,
		BackoffInitial: 10 * time.Millisecond,
		BackoffMax:     100 * time.Millisecond,
	})
	// Keep connections to the fake alive across concurrent calls, as a
	// production transport should.
	hc := &http.Client{Transport: limits.Transport(team, FenceTransport(&http.Transport{MaxIdleConnsPerHost: 64}, now))}
	// The retry wrapper goes around the HTTP client: it comes after it.
	return slack.New(token, slack.OptionAPIURL(f.apiURL()), slack.OptionHTTPClient(hc), slack.OptionRetryConfig(cfg))
}

// fakeCall is one request the fake received.
type fakeCall = webapi.Call

// fault is one scripted failure of a method (webapi.Fault).
type fault struct {
	status     int
	retryAfter int
	slackError string
	accept     bool
	hang       time.Duration
	cut        bool
}

// failNext makes the next n calls of method fail as told.
func (f *fakeSlack) failNext(method string, n int, ft fault) {
	f.FailNext(method, n, webapi.Fault{Status: ft.status, RetryAfter: ft.retryAfter, SlackError: ft.slackError,
		Accept: ft.accept, Hang: ft.hang, Cut: ft.cut})
}

// fakePerson is what the fake's directory says about one user.
type fakePerson struct {
	email   string
	deleted bool
	bot     bool
}

// person adds a user to the fake's directory.
func (f *fakeSlack) person(id string, p fakePerson) {
	f.dir.Add(webapi.Member{ID: id, Email: p.email, Deleted: p.deleted, Bot: p.bot})
}

// rateLimit answers every call of method in channel ("" for any) with 429
// and Retry-After retryAfter seconds, for d.
func (f *fakeSlack) rateLimit(method, channel string, retryAfter int, d time.Duration) {
	f.RateLimit(method, channel, retryAfter, d)
}

// liftLimits ends every rate limit in force.
func (f *fakeSlack) liftLimits() { f.LiftLimits() }

// slow makes every call of method take d.
func (f *fakeSlack) slow(method string, d time.Duration) { f.Slow(method, d) }

// callsOf returns the calls of method so far.
func (f *fakeSlack) callsOf(method string) []fakeCall { return f.CallsOf(method) }

// count returns how many calls of method were made.
func (f *fakeSlack) count(method string) int { return f.Count(method) }

// total returns how many Web API calls (response_url posts aside) were made.
func (f *fakeSlack) total() int { return f.Total() }

// fakeFile is a file the fake serves for download, and how it fails.
type fakeFile struct {
	data        []byte
	contentType string
	delay       time.Duration
	status      int // 0 for 200
}

// shareFile serves a file at its url_private_download and returns the file
// object a file_input submission carries.
func (f *fakeSlack) shareFile(id, name, mimetype string, file fakeFile) map[string]any {
	f.Share(webapi.File{ID: id, Name: name, Mimetype: file.contentType, Data: file.data})
	if file.status != 0 || file.delay > 0 {
		f.FailDownloads(id, file.status, file.delay)
	}
	shared, _ := f.File(id)
	obj := shared.Object(f.srv.URL)
	obj["mimetype"] = mimetype
	return obj
}

// fakeUpload is a file the bot uploaded to the fake.
type fakeUpload struct {
	Filename string
	Data     []byte
}

// upload returns the file uploaded with id.
func (f *fakeSlack) upload(id string) (fakeUpload, bool) {
	file, ok := f.File(id)
	if !ok || file.Data == nil {
		return fakeUpload{}, false
	}
	return fakeUpload{Filename: file.Name, Data: file.Data}, true
}

// fakeMessage is a message as the fake shows it after posts and updates.
type fakeMessage struct {
	Channel string
	Text    string
	Blocks  string // JSON array
	// Metadata is the JSON the post carried, "" for none.
	Metadata string
	TS       string
}

func fakeMessageOf(m webapi.Message) fakeMessage {
	return fakeMessage{Channel: m.Channel, Text: m.Text, Blocks: string(m.Blocks), Metadata: string(m.Metadata), TS: m.TS}
}

// message returns the message with ts as the fake holds it now.
func (f *fakeSlack) message(ts string) (fakeMessage, bool) {
	m, ok := f.MessageAt(ts)
	return fakeMessageOf(m), ok
}

// lastTS returns the ts of the latest message posted for everyone.
func (f *fakeSlack) lastTS() string { return f.LastPosted() }

// lastTSOf returns the ts of the latest message posted that keep accepts.
func (f *fakeSlack) lastTSOf(keep func(fakeMessage) bool) string {
	latest := ""
	for _, m := range f.AllMessages() {
		if m.For == "" && m.TS > latest && keep(fakeMessageOf(m)) {
			latest = m.TS
		}
	}
	return latest
}

// keyed returns the messages in the fake whose metadata carries an outbox
// key, counted by key: a post delivered twice counts 2.
func (f *fakeSlack) keyed() map[string]int {
	out := map[string]int{}
	for _, m := range f.AllMessages() {
		var meta struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		}
		if json.Unmarshal(m.Metadata, &meta) == nil && meta.EventType == PostEventType {
			key, _ := meta.EventPayload["key"].(string)
			out[key]++
		}
	}
	return out
}

// jsonEscapes undoes encoding/json's HTML-safe escapes, so that assertions
// read the text Slack would.
var jsonEscapes = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// unJSON returns s with encoding/json's HTML-safe escapes undone.
func unJSON(s string) string { return jsonEscapes.Replace(s) }

// blocks decodes a message's blocks.
func (m fakeMessage) blocks(t testing.TB) []slack.Block {
	t.Helper()
	var bs slack.Blocks
	if err := json.Unmarshal([]byte(m.Blocks), &bs); err != nil {
		t.Fatalf("decode blocks: %v\n%s", err, m.Blocks)
	}
	return bs.BlockSet
}

// responses returns the bodies posted to response_urls, decoded.
func (f *fakeSlack) responses(t testing.TB) []webhookAnswer {
	t.Helper()
	var out []webhookAnswer
	for _, c := range f.callsOf("response_url") {
		var raw struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal(c.JSON, &raw); err != nil {
			t.Fatalf("decode response_url body: %v", err)
		}
		out = append(out, webhookAnswer{ResponseType: raw.ResponseType, Text: raw.Text})
	}
	return out
}
