package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// fakeSlack is an httptest fake of the Slack Web API methods golive calls,
// and of response_url endpoints. It records every call with its body, keeps
// the latest blocks of every message it was given, and can be told to answer
// a method with 429 (with Retry-After), 500, a Slack error, or slowly.
type fakeSlack struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []fakeCall
	faults   map[string][]fault
	delay    map[string]time.Duration
	messages map[string]fakeMessage // by ts
	nextTS   int
	// limits are rate limits in force: every matching call is answered 429.
	limits []fakeLimit
	// people is the workspace's directory beyond the default: by user id,
	// fields users.info adds to its answer (deleted, is_bot) and the
	// email users.lookupByEmail finds them by.
	people map[string]fakePerson
	// uploads are the files received at upload URLs, by file id.
	uploads  map[string]fakeUpload
	nextFile int
	// files are served at their url_private_download to the bot token only.
	files map[string]fakeFile
}

// fakeFile is a file the fake serves for download.
type fakeFile struct {
	data        []byte
	contentType string
	delay       time.Duration
	status      int // 0 for 200
}

// shareFile serves data at a url_private_download path and returns the
// file object a file_input submission carries.
func (f *fakeSlack) shareFile(id, name, mimetype string, file fakeFile) map[string]any {
	f.mu.Lock()
	f.files[id] = file
	f.mu.Unlock()
	return map[string]any{"id": id, "name": name, "mimetype": mimetype, "size": len(file.data),
		"url_private_download": f.srv.URL + "/files-pri/T1-" + id + "/download/" + name}
}

// serveFile answers a download like files.slack.com: the file to the bot
// token, a sign-in page to anyone else.
func (f *fakeSlack) serveFile(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: "file_download", At: time.Now()})
	id := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(r.URL.Path, "/files-pri/"), "/", 2)[0], "T1-")
	file, ok := f.files[id]
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+fakeBotToken {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>Sign in to Slack</html>")
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if file.delay > 0 {
		select {
		case <-time.After(file.delay):
		case <-r.Context().Done():
			return
		}
	}
	if file.status != 0 {
		w.WriteHeader(file.status)
		return
	}
	w.Header().Set("Content-Type", file.contentType)
	_, _ = w.Write(file.data)
}

// fakeBotToken is the bot token of the fake's clients.
const fakeBotToken = "xoxb-test-token"

// fakeUpload is a file sent to an upload URL of the fake.
type fakeUpload struct {
	Filename string
	Data     []byte
}

// fakePerson is what the fake's directory says about one user.
type fakePerson struct {
	email   string
	deleted bool
	bot     bool
}

// fakeCall is one request the fake received.
type fakeCall struct {
	Method string
	Form   url.Values // form-encoded methods
	JSON   []byte     // JSON-bodied methods and response_url posts
	At     time.Time
	// Limited says the call was answered 429 by a rate limit in force.
	Limited bool
}

// fakeLimit answers 429 with Retry-After to a method's calls (in one
// channel, or in any when channel is empty) until it is lifted.
type fakeLimit struct {
	method, channel string
	retryAfter      int
	until           time.Time
}

// fault is one scripted failure of a method.
type fault struct {
	status     int
	retryAfter int
	slackError string
	// accept does the call first, then fails it: Slack posted the
	// message, and the caller cannot know. With hang, the answer comes
	// that much later (after the caller's timeout, say).
	accept bool
	hang   time.Duration
	// cut closes the connection instead of answering.
	cut bool
}

// fakeMessage is a message as the fake holds it after posts and updates.
type fakeMessage struct {
	Channel string
	Text    string
	Blocks  string // JSON array
	// Metadata is the JSON the post carried, "" for none.
	Metadata string
	TS       string
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{faults: map[string][]fault{}, delay: map[string]time.Duration{}, messages: map[string]fakeMessage{}, nextTS: 100,
		people: map[string]fakePerson{}, uploads: map[string]fakeUpload{}, files: map[string]fakeFile{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
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
	srv := &http.Server{Handler: http.HandlerFunc(f.serve)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// apiURL is the base URL to give slack.OptionAPIURL.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// responseURL returns a response_url served by the fake.
func (f *fakeSlack) responseURL(name string) string { return f.srv.URL + "/response/" + name }

// client returns a Web API client for the fake, wired as production does:
// through limits, retrying connection errors and 5xx, and leaving 429s to
// the bot.
// Its fence reads now, the sender's clock (time.Now when nil).
func (f *fakeSlack) client(limits *RateLimits, now func() time.Time) *slack.Client {
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
	hc := &http.Client{Transport: limits.Transport(FenceTransport(&http.Transport{MaxIdleConnsPerHost: 64}, now))}
	// The retry wrapper goes around the HTTP client: it comes after it.
	return slack.New(fakeBotToken, slack.OptionAPIURL(f.apiURL()), slack.OptionHTTPClient(hc), slack.OptionRetryConfig(cfg))
}

// failNext makes the next n calls of method fail as told.
func (f *fakeSlack) failNext(method string, n int, ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults[method] = append(f.faults[method], ft)
	}
}

// person adds a user to the fake's directory.
func (f *fakeSlack) person(id string, p fakePerson) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.people[id] = p
}

// rateLimit answers every call of method in channel ("" for any) with 429
// and Retry-After retryAfter seconds, for d.
func (f *fakeSlack) rateLimit(method, channel string, retryAfter int, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, fakeLimit{method: method, channel: channel, retryAfter: retryAfter, until: time.Now().Add(d)})
}

// liftLimits ends every rate limit in force.
func (f *fakeSlack) liftLimits() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = nil
}

// limited returns the rate limit in force for call, if any; f.mu is held.
func (f *fakeSlack) limited(c fakeCall) (fakeLimit, bool) {
	for _, l := range f.limits {
		if l.method == c.Method && (l.channel == "" || l.channel == c.Form.Get("channel")) && c.At.Before(l.until) {
			return l, true
		}
	}
	return fakeLimit{}, false
}

// slow makes every call of method take d.
func (f *fakeSlack) slow(method string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay[method] = d
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	call := fakeCall{At: time.Now()}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		call.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/response/"):
		call.Method = "response_url"
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		f.receiveUpload(w, r, body)
		return
	case strings.HasPrefix(r.URL.Path, "/files-pri/"):
		f.serveFile(w, r)
		return
	default:
		http.NotFound(w, r)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || call.Method == "response_url" {
		call.JSON = body
	} else {
		call.Form, _ = url.ParseQuery(string(body))
	}

	f.mu.Lock()
	limit, limited := f.limited(call)
	call.Limited = limited
	f.calls = append(f.calls, call)
	delay := f.delay[call.Method]
	var ft *fault
	if q := f.faults[call.Method]; len(q) > 0 {
		ft = &q[0]
		f.faults[call.Method] = q[1:]
	}
	f.mu.Unlock()

	if delay > 0 {
		time.Sleep(delay)
	}
	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(limit.retryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	if ft != nil && ft.accept {
		f.answer(call)
		if ft.hang > 0 {
			select {
			case <-time.After(ft.hang):
			case <-r.Context().Done():
				return
			}
		}
	}
	if ft != nil && ft.cut {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	if ft != nil {
		if ft.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ft.retryAfter))
		}
		if ft.status != 0 {
			w.WriteHeader(ft.status)
			return
		}
		writeJSON(w, map[string]any{"ok": false, "error": ft.slackError})
		return
	}
	if call.Method == "response_url" {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, f.answer(call))
}

// answer is the successful reply to a call, updating the fake's messages.
func (f *fakeSlack) answer(c fakeCall) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch c.Method {
	case "chat.postMessage":
		f.nextTS++
		ts := fmt.Sprintf("1700000000.%06d", f.nextTS)
		f.messages[ts] = fakeMessage{Channel: c.Form.Get("channel"), Text: c.Form.Get("text"), Blocks: c.Form.Get("blocks"),
			Metadata: c.Form.Get("metadata"), TS: ts}
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": ts}
	case "conversations.history":
		return f.history(c.Form.Get("channel"), c.Form.Get("include_all_metadata") == "1")
	case "chat.update":
		ts := c.Form.Get("ts")
		if _, ok := f.messages[ts]; !ok {
			return map[string]any{"ok": false, "error": "message_not_found"}
		}
		m := f.messages[ts]
		m.Channel, m.Text, m.Blocks = c.Form.Get("channel"), c.Form.Get("text"), c.Form.Get("blocks")
		f.messages[ts] = m
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": ts}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": "1700000000.999999"}
	case "views.open", "views.publish":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V1"}}
	case "conversations.open":
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D1"}}
	case "files.getUploadURLExternal":
		f.nextFile++
		id := fmt.Sprintf("F%d", f.nextFile)
		return map[string]any{"ok": true, "file_id": id, "upload_url": f.srv.URL + "/upload/" + id}
	case "files.completeUploadExternal":
		var files []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		_ = json.Unmarshal([]byte(c.Form.Get("files")), &files)
		for _, file := range files {
			if _, ok := f.uploads[file.ID]; !ok {
				return map[string]any{"ok": false, "error": "file_not_found"}
			}
		}
		return map[string]any{"ok": true, "files": files}
	case "files.info":
		id := c.Form.Get("file")
		file, ok := f.files[id]
		if !ok {
			return map[string]any{"ok": false, "error": "file_not_found"}
		}
		return map[string]any{"ok": true, "file": map[string]any{"id": id, "name": "checklist.md", "mimetype": "text/markdown",
			"size": len(file.data), "url_private_download": f.srv.URL + "/files-pri/T1-" + id + "/download/checklist.md"}}
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "team_id": "T1"}
	case "users.info":
		return map[string]any{"ok": true, "user": f.user(c.Form.Get("user"))}
	case "users.lookupByEmail":
		for id, p := range f.people {
			if p.email != "" && strings.EqualFold(p.email, c.Form.Get("email")) {
				return map[string]any{"ok": true, "user": f.user(id)}
			}
		}
		return map[string]any{"ok": false, "error": "users_not_found"}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// history answers conversations.history with the channel's messages,
// newest first, with their metadata when asked for it; f.mu is held.
func (f *fakeSlack) history(channel string, metadata bool) map[string]any {
	var msgs []map[string]any
	for ts, m := range f.messages {
		if m.Channel != channel {
			continue
		}
		msg := map[string]any{"type": "message", "ts": ts, "text": m.Text}
		if metadata && m.Metadata != "" {
			var meta map[string]any
			_ = json.Unmarshal([]byte(m.Metadata), &meta)
			msg["metadata"] = meta
		}
		msgs = append(msgs, msg)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i]["ts"].(string) > msgs[j]["ts"].(string) })
	return map[string]any{"ok": true, "messages": msgs, "has_more": false}
}

// keyed returns the messages in the fake whose metadata carries an outbox
// key, counted by key: a post delivered twice counts 2.
func (f *fakeSlack) keyed() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, m := range f.messages {
		var meta struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		}
		if json.Unmarshal([]byte(m.Metadata), &meta) == nil && meta.EventType == PostEventType {
			key, _ := meta.EventPayload["key"].(string)
			out[key]++
		}
	}
	return out
}

// receiveUpload takes a file at an upload URL (a multipart form with one
// file field, as UploadToURL sends it) and keeps it under its file id.
func (f *fakeSlack) receiveUpload(w http.ResponseWriter, r *http.Request, body []byte) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(10 << 20)
	if err != nil || len(form.File["file"]) != 1 {
		http.Error(w, "want one file", http.StatusBadRequest)
		return
	}
	fh := form.File["file"][0]
	file, err := fh.Open()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer file.Close()
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: "upload", At: time.Now()})
	f.uploads[strings.TrimPrefix(r.URL.Path, "/upload/")] = fakeUpload{Filename: fh.Filename, Data: data}
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// upload returns the file uploaded with id.
func (f *fakeSlack) upload(id string) (fakeUpload, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.uploads[id]
	return u, ok
}

// user is the fake's user object for id: everyone exists, with a display
// name made of their id, unless the directory says more.
func (f *fakeSlack) user(id string) map[string]any {
	p := f.people[id]
	return map[string]any{"id": id, "name": strings.ToLower(id), "deleted": p.deleted, "is_bot": p.bot,
		"profile": map[string]any{"display_name": "Display " + id, "real_name": "Real " + id, "email": p.email}}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// callsOf returns the calls of method so far.
func (f *fakeSlack) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// count returns how many calls of method were made.
func (f *fakeSlack) count(method string) int { return len(f.callsOf(method)) }

// total returns how many Web API calls (response_url posts aside) were made.
func (f *fakeSlack) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Method != "response_url" {
			n++
		}
	}
	return n
}

// message returns the message with ts as the fake holds it now.
func (f *fakeSlack) message(ts string) (fakeMessage, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.messages[ts]
	return m, ok
}

// lastTS returns the ts of the latest message posted.
func (f *fakeSlack) lastTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("1700000000.%06d", f.nextTS)
}

// lastTSOf returns the ts of the latest message posted that keep accepts.
func (f *fakeSlack) lastTSOf(keep func(fakeMessage) bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	latest := ""
	for ts, m := range f.messages {
		if m.TS != "" && ts > latest && keep(m) {
			latest = ts
		}
	}
	return latest
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
		var a webhookAnswer
		var raw struct {
			ResponseType string          `json:"response_type"`
			Text         string          `json:"text"`
			Blocks       json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(c.JSON, &raw); err != nil {
			t.Fatalf("decode response_url body: %v", err)
		}
		a.ResponseType, a.Text = raw.ResponseType, raw.Text
		out = append(out, a)
	}
	return out
}
