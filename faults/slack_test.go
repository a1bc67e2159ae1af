//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
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

// pauseFor is how long Paused stops a server: past its 3 s lease (a test
// clock's) and the other server's next look at the outbox (1 s).
const (
	pauseFor  = 6 * time.Second
	maxPauses = 2
)

// hangFor is how long AcceptThenHang holds an answer: past the 1 s call
// timeout of a server under a test clock.
const hangFor = 1500 * time.Millisecond

// fakeSlack is the Slack Web API golive talks to, over HTTP. It keeps every
// message posted (with its metadata and latest blocks), the views opened,
// and the bodies posted to response_urls, and fails on demand.
type fakeSlack struct {
	t    testing.TB
	addr string
	ln   net.Listener
	srv  *http.Server

	mu        sync.Mutex
	nextTS    int
	messages  map[string]*message // by ts
	order     []string            // ts in posting order
	views     []openedView
	responses map[string][]string // response_url name → bodies
	calls     map[string]int      // by method
	fault     Fault
	// pause stops the golive process named caller, for Paused, and returns
	// what resumes it; ok is false when it may not be stopped now (no other
	// server would be left to take over). paused are the people whose DM
	// stopped its sender.
	pause  func(caller string) (resume func(), ok bool)
	paused map[string]bool
	// tried are the keys of the owed posts called for so far: while a
	// fault is on, the first call of each key fails.
	tried   map[string]bool
	faulted map[Fault]int
}

// message is a message as the fake holds it.
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
	f := &fakeSlack{t: t, addr: ln.Addr().String(), messages: map[string]*message{}, responses: map[string][]string{},
		calls: map[string]int{}, fault: NoFault, tried: map[string]bool{}, faulted: map[Fault]int{}, paused: map[string]bool{}}
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
	f.ln, f.srv = ln, srv
	f.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// apiURL is SLACK_API_URL for the golive process named caller.
func (f *fakeSlack) apiURL(caller string) string { return "http://" + f.addr + "/api/" + caller + "/" }

// responseURL is a response_url the fake records under name.
func (f *fakeSlack) responseURL(name string) string { return "http://" + f.addr + "/response/" + name }

// setPauser gives the fake what stops a server, for Paused.
func (f *fakeSlack) setPauser(pause func(caller string) (resume func(), ok bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pause = pause
}

// setFault fails the first call of every owed post as fault says, from
// now on.
func (f *fakeSlack) setFault(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fault = fault
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

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch {
	case strings.HasPrefix(r.URL.Path, "/response/"):
		f.mu.Lock()
		name := strings.TrimPrefix(r.URL.Path, "/response/")
		f.responses[name] = append(f.responses[name], string(body))
		f.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	case !strings.HasPrefix(r.URL.Path, "/api/"):
		http.NotFound(w, r)
		return
	}
	caller, method, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	form := url.Values{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var js map[string]any
		_ = json.Unmarshal(body, &js)
		for k, v := range js {
			switch v := v.(type) {
			case string:
				form.Set(k, v)
			default:
				b, _ := json.Marshal(v)
				form.Set(k, string(b))
			}
		}
	} else {
		form, _ = url.ParseQuery(string(body))
	}

	f.mu.Lock()
	f.calls[method]++
	fault := NoFault
	if key := keyOf(form.Get("metadata")); method == "chat.postMessage" && key != "" && f.fault != NoFault && f.fault != Paused && !f.tried[key] {
		fault = f.fault
		f.faulted[fault]++
		f.tried[key] = true
	}
	pause := f.pause
	if f.fault != Paused || method != "conversations.open" || f.paused[form.Get("users")] || len(f.paused) >= maxPauses {
		pause = nil
	}
	f.mu.Unlock()

	if pause != nil {
		f.pauseDuring(w, pause, caller, method, form)
		return
	}
	switch fault {
	case RateLimited:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case AcceptThen500:
		f.answer(method, form)
		w.WriteHeader(http.StatusInternalServerError)
		return
	case AcceptThenHang:
		answer := f.answer(method, form)
		select {
		case <-time.After(hangFor):
		case <-r.Context().Done():
			return
		}
		writeJSON(w, answer)
		return
	}
	writeJSON(w, f.answer(method, form))
}

// pauseDuring answers a conversations.open of a DM while its caller is
// stopped, if it may be stopped, and resumes it after pauseFor: the caller
// finds the answer when it goes on, past its lease, about to post.
func (f *fakeSlack) pauseDuring(w http.ResponseWriter, pause func(string) (func(), bool), caller, method string, form url.Values) {
	resume, ok := pause(caller)
	if ok {
		f.mu.Lock()
		f.paused[form.Get("users")] = true
		f.faulted[Paused]++
		f.mu.Unlock()
	}
	writeJSON(w, f.answer(method, form))
	if ok {
		w.(http.Flusher).Flush()
		time.AfterFunc(pauseFor, resume)
	}
}

// answer does a call and returns Slack's answer.
func (f *fakeSlack) answer(method string, form url.Values) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "team_id": team, "team": "Faults"}
	case "chat.postMessage":
		f.nextTS++
		ts := fmt.Sprintf("1800000000.%06d", f.nextTS)
		m := &message{Channel: form.Get("channel"), TS: ts, Text: form.Get("text"), Blocks: form.Get("blocks"),
			Metadata: form.Get("metadata"), Key: keyOf(form.Get("metadata"))}
		f.messages[ts] = m
		f.order = append(f.order, ts)
		return map[string]any{"ok": true, "channel": m.Channel, "ts": ts}
	case "chat.update":
		m, ok := f.messages[form.Get("ts")]
		if !ok {
			return map[string]any{"ok": false, "error": "message_not_found"}
		}
		m.Text, m.Blocks = form.Get("text"), form.Get("blocks")
		return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": "1800000000.999999"}
	case "conversations.open":
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(form.Get("users"), "U")}}
	case "conversations.history":
		return f.history(form.Get("channel"), form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true")
	case "views.open":
		var v struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
		}
		_ = json.Unmarshal([]byte(form.Get("view")), &v)
		f.views = append(f.views, openedView{Trigger: form.Get("trigger_id"), CallbackID: v.CallbackID, PrivateMetadata: v.PrivateMetadata})
		return map[string]any{"ok": true, "view": map[string]any{"id": fmt.Sprintf("V%d", len(f.views))}}
	case "views.update", "views.publish":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V0"}}
	case "users.info":
		id := form.Get("user")
		return map[string]any{"ok": true, "user": map[string]any{"id": id, "name": strings.ToLower(id),
			"profile": map[string]any{"display_name": "Display " + id, "real_name": "Real " + id}}}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// history answers conversations.history, newest first, with the
// metadata when asked for it; f.mu is held.
func (f *fakeSlack) history(channel string, withMetadata bool) map[string]any {
	msgs := []map[string]any{}
	for i := len(f.order) - 1; i >= 0; i-- {
		m := f.messages[f.order[i]]
		if m.Channel != channel {
			continue
		}
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if withMetadata && m.Metadata != "" {
			var meta map[string]any
			_ = json.Unmarshal([]byte(m.Metadata), &meta)
			msg["metadata"] = meta
		}
		msgs = append(msgs, msg)
	}
	return map[string]any{"ok": true, "messages": msgs, "has_more": false}
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

// keyed counts the messages posted by key: a post delivered twice counts 2.
func (f *fakeSlack) keyed() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, m := range f.messages {
		if m.Key != "" {
			out[m.Key]++
		}
	}
	return out
}

// unkeyedDMs counts the direct messages without a key, by user.
func (f *fakeSlack) unkeyedDMs() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, m := range f.messages {
		if m.Key == "" && strings.HasPrefix(m.Channel, "D") {
			out["U"+strings.TrimPrefix(m.Channel, "D")]++
		}
	}
	return out
}

// latest returns the newest message that keep accepts.
func (f *fakeSlack) latest(keep func(*message) bool) (message, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.order) - 1; i >= 0; i-- {
		if m := f.messages[f.order[i]]; keep(m) {
			return *m, true
		}
	}
	return message{}, false
}

// viewFor returns the modal opened for a click's trigger id.
func (f *fakeSlack) viewFor(trigger string) (openedView, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.views {
		if v.Trigger == trigger {
			return v, true
		}
	}
	return openedView{}, false
}

// respondedTo tells whether anything was posted to responseURL.
func (f *fakeSlack) respondedTo(responseURL string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.responses[strings.TrimPrefix(responseURL, f.responseURL(""))]) > 0
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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
