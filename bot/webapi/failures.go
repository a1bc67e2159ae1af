package webapi

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is one scripted failure of a call.
type Fault struct {
	// Status answers with this HTTP status (500, say) and no body.
	Status int
	// RetryAfter sets the Retry-After header, in seconds.
	RetryAfter int
	// SlackError answers 200 with {"ok":false,"error":SlackError} when
	// Status is 0.
	SlackError string
	// Accept does the call first, then fails it: Slack posted the
	// message, and the caller cannot know. With Hang, the answer (the
	// failure, or the call's own when no failure is set) comes that much
	// later: after the caller's timeout, say.
	Accept bool
	Hang   time.Duration
	// Cut closes the connection instead of answering.
	Cut bool
	// Body answers 200 with these bytes as they are (garbage from a
	// proxy, say) when Status and SlackError are not set.
	Body string
}

// limit answers 429 with Retry-After to a method's calls (in one channel,
// or in any when channel is empty) until it ends.
type limit struct {
	method, channel string
	retryAfter      int
	until           time.Time
}

// failures is the record of calls and the failures scripted for them.
type failures struct {
	mu     sync.Mutex
	calls  []Call
	faults map[string][]Fault
	delay  map[string]time.Duration
	limits []limit
	// downloads are the failures of downloads, by file id.
	downloads map[string]downloadFault
}

// downloadFault is how every download of one file fails.
type downloadFault struct {
	status int
	delay  time.Duration
}

func (f *failures) init() {
	f.faults, f.delay, f.downloads = map[string][]Fault{}, map[string]time.Duration{}, map[string]downloadFault{}
}

// FailNext makes the next n calls of method fail as ft says. Methods are
// the Web API's names, and "response_url", "upload" and "file_download".
func (s *Server) FailNext(method string, n int, ft Fault) {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults[method] = append(f.faults[method], ft)
	}
}

// RateLimit answers every call of method in channel ("" for any) with 429
// and Retry-After retryAfter seconds, for d.
func (s *Server) RateLimit(method, channel string, retryAfter int, d time.Duration) {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, limit{method: method, channel: channel, retryAfter: retryAfter, until: time.Now().Add(d)})
}

// LiftLimits ends every rate limit in force.
func (s *Server) LiftLimits() {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = nil
}

// Slow makes every call of method take d more.
func (s *Server) Slow(method string, d time.Duration) {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay[method] = d
}

// FailDownloads makes every download of file id wait delay, then answer
// status (0: the file).
func (s *Server) FailDownloads(id string, status int, delay time.Duration) {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads[id] = downloadFault{status: status, delay: delay}
}

// download returns how downloads of file id fail, if they do.
func (f *failures) download(id string) (downloadFault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.downloads[id]
	return d, ok
}

// limited returns the rate limit in force for c, if any; f.mu is held.
func (f *failures) limited(c Call) (limit, bool) {
	for _, l := range f.limits {
		if l.method == c.Method && (l.channel == "" || l.channel == c.Get("channel")) && c.At.Before(l.until) {
			return l, true
		}
	}
	return limit{}, false
}

// serveCall records call and answers it with answer, unless a rate limit
// or a scripted fault says otherwise.
func (s *Server) serveCall(w http.ResponseWriter, r *http.Request, call Call, answer func(w http.ResponseWriter)) {
	f := &s.failures
	f.mu.Lock()
	l, limited := f.limited(call)
	call.Limited = limited
	var ft *Fault
	if q := f.faults[call.Method]; len(q) > 0 {
		ft = &q[0]
		f.faults[call.Method] = q[1:]
	} else if s.faultFor != nil {
		if scripted, ok := s.faultFor(call); ok {
			ft = &scripted
		}
	}
	// A call that fails is recorded as it arrives; one answered, once
	// done, so that a test which sees it counted sees what it did.
	if limited || ft != nil {
		f.calls = append(f.calls, call)
	}
	delay := f.delay[call.Method]
	f.mu.Unlock()

	if delay > 0 && !wait(r, delay) {
		return
	}
	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(l.retryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	if ft == nil {
		answer(w)
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		return
	}
	if ft.Accept {
		done := &buffered{header: http.Header{}}
		answer(done)
		if ft.Hang > 0 && !wait(r, ft.Hang) {
			return
		}
		if ft.Status == 0 && ft.SlackError == "" && ft.Body == "" && !ft.Cut {
			done.replay(w)
			return
		}
	}
	if ft.Cut {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	if ft.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ft.RetryAfter))
	}
	if ft.Status != 0 {
		w.WriteHeader(ft.Status)
		return
	}
	if ft.SlackError == "" && ft.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, ft.Body)
		return
	}
	writeJSON(w, apiError(ft.SlackError))
}

// wait sleeps d, or less when the caller gives up; false then.
func wait(r *http.Request, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

// buffered keeps the answer of a call done before it is answered.
type buffered struct {
	header http.Header
	status int
	body   []byte
}

func (b *buffered) Header() http.Header { return b.header }
func (b *buffered) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}
func (b *buffered) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// replay sends the kept answer to w.
func (b *buffered) replay(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status != 0 {
		w.WriteHeader(b.status)
	}
	_, _ = w.Write(b.body)
}

// CallsOf returns the calls of method so far.
func (s *Server) CallsOf(method string) []Call {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Calls returns every call so far, in order.
func (s *Server) Calls() []Call {
	f := &s.failures
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Count returns how many calls of method were made.
func (s *Server) Count(method string) int { return len(s.CallsOf(method)) }

// Total returns how many Web API calls (response_url posts, uploads and
// downloads aside) were made.
func (s *Server) Total() int {
	n := 0
	for _, c := range s.Calls() {
		switch c.Method {
		case "response_url", "upload", "file_download":
		default:
			n++
		}
	}
	return n
}
