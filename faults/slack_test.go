//go:build faults

package faults

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive/golive/bot/webapi"
)

// Fault is how the fake Slack fails the posts golive owes (chat.postMessage
// calls carrying golive's metadata) while a fault is on.
type Fault string

// The failure modes.
const (
	// NoFault answers every call.
	NoFault Fault = ""
	// AcceptThen500 posts the message, then answers 500: golive cannot know.
	AcceptThen500 Fault = "500-after-accept"
	// AcceptThenHang posts the message, then holds the answer past golive's
	// call timeout.
	AcceptThenHang Fault = "timeout-after-accept"
	// RateLimited answers 429 with Retry-After, posting nothing.
	RateLimited Fault = "429-retry-after"
	// Down refuses every connection (the listener is closed) for a while.
	Down Fault = "connection-refused"
	// Paused stops the server sending a DM with SIGSTOP for longer than
	// its lease (pauseFor), just after its claim was checked and before
	// it posts: the fake answers the conversations.open that comes between
	// while the server is stopped. Another server takes the post over
	// meanwhile; then the stopped one is resumed (SIGCONT) and goes on.
	// Once for each of the first maxPauses people sent a DM.
	Paused Fault = "sigstop-past-lease"
)

// hangFor is how long AcceptThenHang holds an answer: past the 1 s call
// timeout of a server under a test clock.
const hangFor = 1500 * time.Millisecond

// pauseFor is how long Paused stops a server: past its 3 s lease (a test
// clock's) and the other server's next look at the outbox (1 s).
const (
	pauseFor  = 6 * time.Second
	maxPauses = 2
)

// fakeSlack is the Slack Web API golive talks to, over HTTP: the one fake
// Slack (package webapi), on a listener of its own that can refuse
// connections for a while, failing the posts golive owes as the mode on
// says.
type fakeSlack struct {
	t    testing.TB
	api  *webapi.Server
	addr string

	mu    sync.Mutex
	srv   *http.Server
	fault Fault
	// tried are the keys of the owed posts called for so far: while a
	// fault is on, the first call of each key fails.
	tried   map[string]bool
	faulted map[Fault]int
	// pause stops the golive process named caller, for Paused, and returns
	// what resumes it; ok is false when it may not be stopped now (no other
	// server would be left to take over). paused are the people whose DM
	// stopped its sender.
	pause  func(caller string) (resume func(), ok bool)
	paused map[string]bool
	// crash, when set, is asked about each post golive owes (by its key)
	// before the post is taken: when it returns a kill, the post is taken
	// and the caller is killed before it can read the answer, as a crash
	// between Slack's 200 and golive's record of it would.
	crash func(caller, key string) (kill func(), ok bool)
}

// message is a message as the fake shows it.
type message struct {
	Channel  string
	TS       string
	Text     string
	Blocks   string
	Metadata string
	// Key is the idempotency key its metadata carries ("" for a message
	// golive owes nobody, such as a command's answer).
	Key string
}

// openedView is a views.open call: the modal golive asked Slack to show.
type openedView struct {
	Trigger         string
	CallbackID      string
	PrivateMetadata string
}

func newFakeSlack(t testing.TB) *fakeSlack {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake slack: listen: %v", err)
	}
	f := &fakeSlack{t: t, addr: ln.Addr().String(), fault: NoFault, tried: map[string]bool{}, faulted: map[Fault]int{},
		paused: map[string]bool{}}
	f.api = webapi.New(webapi.Config{Token: botToken, Team: webapi.Team{ID: team, Name: "Faults", BotUser: "UBOT"},
		FaultFor: f.faultFor})
	f.serveOn(ln)
	t.Cleanup(func() {
		f.mu.Lock()
		srv := f.srv
		f.mu.Unlock()
		if srv != nil {
			_ = srv.Close()
		}
	})
	return f
}

func (f *fakeSlack) serveOn(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(f.serve)}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// apiURL is SLACK_API_URL for the golive process named caller: each
// calls at a URL of its own, so that the fake knows who calls.
func (f *fakeSlack) apiURL(caller string) string { return "http://" + f.addr + "/api/" + caller + "/" }

// serve hands a call to the workspace, at the path it knows
// (/api/METHOD), pausing its caller first when Paused says so.
func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		f.api.ServeHTTP(w, r)
		return
	}
	caller, method, _ := strings.Cut(rest, "/")
	r.URL.Path = "/api/" + method
	f.mu.Lock()
	crash := f.crash
	f.mu.Unlock()
	if method != "conversations.open" && (method != "chat.postMessage" || crash == nil) {
		f.api.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	if method == "chat.postMessage" {
		if kill, ok := crash(caller, keyOf(form.Get("metadata"))); ok {
			// Taken, and the caller dies before the answer reaches it.
			f.api.ServeHTTP(httptest.NewRecorder(), r)
			kill()
			return
		}
		f.api.ServeHTTP(w, r)
		return
	}
	users := form.Get("users")
	f.mu.Lock()
	pause := f.pause
	if f.fault != Paused || f.paused[users] || len(f.paused) >= maxPauses {
		pause = nil
	}
	f.mu.Unlock()
	var resume func()
	if pause != nil {
		if resume, ok = pause(caller); ok {
			f.mu.Lock()
			f.paused[users] = true
			f.faulted[Paused]++
			f.mu.Unlock()
		}
	}
	f.api.ServeHTTP(w, r)
	if resume != nil {
		// The answer waits for the caller, which finds it, past its
		// lease, when it goes on.
		w.(http.Flusher).Flush()
		time.AfterFunc(pauseFor, resume)
	}
}

// setCrasher gives the fake what decides, for each post golive owes,
// whether its caller is killed once the post is taken.
func (f *fakeSlack) setCrasher(crash func(caller, key string) (kill func(), ok bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.crash = crash
}

// setPauser gives the fake what stops a server, for Paused.
func (f *fakeSlack) setPauser(pause func(caller string) (resume func(), ok bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pause = pause
}

// respondedTo tells whether anything was posted to responseURL.
func (f *fakeSlack) respondedTo(responseURL string) bool {
	path := strings.TrimPrefix(responseURL, "http://"+f.addr)
	for _, c := range f.api.CallsOf("response_url") {
		if c.Path == path {
			return true
		}
	}
	return false
}

// responseURL is a response_url the fake records under name.
func (f *fakeSlack) responseURL(name string) string { return "http://" + f.addr + "/response/" + name }

// setFault fails the first call of every owed post as fault says, from
// now on.
func (f *fakeSlack) setFault(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fault = fault
}

// faultFor fails the first call of an owed post while a fault is on.
func (f *fakeSlack) faultFor(c webapi.Call) (webapi.Fault, bool) {
	key := keyOf(c.Get("metadata"))
	if c.Method != "chat.postMessage" || key == "" {
		return webapi.Fault{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fault == NoFault || f.fault == Paused || f.tried[key] {
		return webapi.Fault{}, false
	}
	f.faulted[f.fault]++
	f.tried[key] = true
	switch f.fault {
	case RateLimited:
		return webapi.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1}, true
	case AcceptThen500:
		return webapi.Fault{Accept: true, Status: http.StatusInternalServerError}, true
	case AcceptThenHang:
		return webapi.Fault{Accept: true, Hang: hangFor}, true
	}
	return webapi.Fault{}, false
}

// down refuses connections for d (closing the listener and the open
// connections), then listens again at the same address.
func (f *fakeSlack) down(d time.Duration) {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.faulted[Down]++
	f.mu.Unlock()
	_ = srv.Close()
	time.Sleep(d)
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		f.t.Errorf("fake slack: listen again at %s: %v", f.addr, err)
		return
	}
	f.serveOn(ln)
}

// keyOf returns the idempotency key in a post's metadata (every post of the
// outbox, reminders included, carries one); "" for a message without it.
func keyOf(metadata string) string {
	if metadata == "" {
		return ""
	}
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if json.Unmarshal([]byte(metadata), &meta) != nil {
		return ""
	}
	if meta.EventType != "golive_post" {
		return ""
	}
	k, _ := meta.EventPayload["key"].(string)
	return k
}

// posts returns the messages posted for everyone to see, in the order
// they were posted.
func (f *fakeSlack) posts() []message {
	var out []message
	for _, m := range f.api.AllMessages() {
		if m.For != "" {
			continue
		}
		out = append(out, message{Channel: m.Channel, TS: m.TS, Text: m.Text, Blocks: string(m.Blocks),
			Metadata: string(m.Metadata), Key: keyOf(string(m.Metadata))})
	}
	// A ts has a fixed width, and the fake's are given in order.
	sort.Slice(out, func(i, j int) bool { return out[i].TS < out[j].TS })
	return out
}

// keyed counts the messages posted by key: a post delivered twice counts 2.
func (f *fakeSlack) keyed() map[string]int {
	out := map[string]int{}
	for _, m := range f.posts() {
		if m.Key != "" {
			out[m.Key]++
		}
	}
	return out
}

// unkeyedDMs counts the direct messages without a key, by user.
func (f *fakeSlack) unkeyedDMs() map[string]int {
	out := map[string]int{}
	for _, m := range f.posts() {
		if m.Key == "" && strings.HasPrefix(m.Channel, "D") {
			out["U"+strings.TrimPrefix(m.Channel, "D")]++
		}
	}
	return out
}

// latest returns the newest message that keep accepts.
func (f *fakeSlack) latest(keep func(*message) bool) (message, bool) {
	posts := f.posts()
	for i := len(posts) - 1; i >= 0; i-- {
		if keep(&posts[i]) {
			return posts[i], true
		}
	}
	return message{}, false
}

// viewFor returns the modal opened for a click's trigger id.
func (f *fakeSlack) viewFor(trigger string) (openedView, bool) {
	for _, c := range f.api.CallsOf("views.open") {
		if c.Get("trigger_id") != trigger {
			continue
		}
		var v struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
		}
		_ = json.Unmarshal([]byte(c.Get("view")), &v)
		return openedView{Trigger: trigger, CallbackID: v.CallbackID, PrivateMetadata: v.PrivateMetadata}, true
	}
	return openedView{}, false
}

// faults returns how many calls each fault failed.
func (f *fakeSlack) faults() map[Fault]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[Fault]int{}
	for k, v := range f.faulted {
		out[k] = v
	}
	return out
}

// keys returns the keys seen, sorted, for messages.
func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
