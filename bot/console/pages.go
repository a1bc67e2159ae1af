package console

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"text": textHTML,
	"elem": func(c Frame, block, index int, e *element) elementView {
		return elementView{Frame: c, Block: block, Index: index, El: e}
	},
	"input":    func(c Frame, block int, b rawBlock) inputView { return inputView{Frame: c, Block: block, B: b} },
	"errorOf":  func(c Frame, blockID string) string { return c.Errors[blockID] },
	"plain":    func(t *text) string { return textString(t) },
	"mrkdwnOf": func(s string) *text { return &text{Type: "mrkdwn", Text: s} },
	"accept": func(types []string) string {
		out := make([]string, len(types))
		for i, t := range types {
			out[i] = "." + t
		}
		return strings.Join(out, ",")
	},
}).ParseFS(assets, "assets/*.html"))

// textHTML draws a text object: mrkdwn formatted, plain_text escaped.
func textHTML(t *text) template.HTML {
	if t == nil {
		return ""
	}
	if t.Type == "mrkdwn" {
		return renderMrkdwn(t.Text)
	}
	return renderPlain(t.Text)
}

func textString(t *text) string {
	if t == nil {
		return ""
	}
	return t.Text
}

// Frame is where blocks are drawn: a message or a view, and the field
// errors of a modal.
type Frame struct {
	Channel, TS, ViewID string
	Blocks              []rawBlock
	Errors              map[string]string
	// Form says the blocks are a modal's: inputs are fields of its form.
	Form bool
}

type elementView struct {
	Frame
	Block, Index int
	El           *element
}

type inputView struct {
	Frame
	Block int
	B     rawBlock
}

// page is what a console page shows.
type page struct {
	As       Person
	People   []Person
	Channels []Channel
	DM       Channel
	// Current is the conversation shown; Home says the App Home is.
	Current  Channel
	Home     bool
	Messages []messageView
	HomeView *viewView
	Modal    *viewView
	Empty    bool
	Now      string
	Ahead    string
	Next     string
	Version  int64
}

type messageView struct {
	Frame
	Author    string
	Time      string
	Text      string
	Ephemeral bool
	Edited    bool
	Files     []File
}

type viewView struct {
	Frame
	Key                  string
	Title, Submit, Close *text
}

// drawView reads a view's title, buttons and blocks.
func drawView(v *View, form bool) (*viewView, error) {
	var head struct {
		Title  *text      `json:"title"`
		Submit *text      `json:"submit"`
		Close  *text      `json:"close"`
		Blocks []rawBlock `json:"blocks"`
	}
	if err := json.Unmarshal(v.Doc, &head); err != nil {
		return nil, fmt.Errorf("console: draw view %s: %w", v.ID, err)
	}
	return &viewView{Frame: Frame{ViewID: v.ID, Blocks: head.Blocks, Errors: v.Errors, Form: form},
		Key: v.ID + ":" + strconv.Itoa(v.Rev), Title: head.Title, Submit: head.Submit, Close: head.Close}, nil
}

// Handler serves the console: its pages, what they post, and the
// workspace's Web API (/webapi/: the bot's client's calls, response_urls,
// uploads and downloads).
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/c/"+Channels[0].ID, http.StatusSeeOther)
	})
	mux.HandleFunc("GET /c/{id}", c.serveConversation)
	mux.HandleFunc("GET /home", c.serveHome)
	mux.Handle("GET /console/assets/", http.StripPrefix("/console/", http.FileServerFS(assets)))
	mux.HandleFunc("GET /console/poll", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"v": c.api.Version()})
	})
	mux.HandleFunc("POST /console/command", c.fromPage(c.postCommand))
	mux.HandleFunc("POST /console/click", c.fromPage(c.postClick))
	mux.HandleFunc("POST /console/submit", c.fromPage(c.postSubmit))
	mux.HandleFunc("POST /console/close", c.fromPage(c.postClose))
	mux.HandleFunc("POST /console/demo", c.fromPage(c.postDemo))
	mux.HandleFunc("POST /console/clock", c.fromPage(c.postClock))
	mux.Handle(apiRoot+"/", c.api)
	mux.HandleFunc("GET /console/files/{id}/{name}", c.serveFile)
	return localOnly(secureHeaders(mux))
}

// serveFile serves a file's bytes to the page, as a download: a file is
// never shown in the console's own origin.
func (c *Console) serveFile(w http.ResponseWriter, r *http.Request) {
	f, ok := c.api.File(r.PathValue("id"))
	if !ok || f.Data == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, f.Name, time.Time{}, bytes.NewReader(f.Data))
}

// maxPageBody bounds what a page posts; a checklist file is the largest.
const maxPageBody = 32 << 20

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// localOnly answers only requests addressed to an IP address or localhost.
// A site the browser opens cannot point a name of its own at the console
// (DNS rebinding) and then read its pages and act as a member.
func localOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		if net.ParseIP(host) == nil && host != "localhost" && !strings.HasSuffix(host, ".localhost") {
			http.Error(w, "the golive console answers at localhost or an IP address only", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// secureHeaders keeps the pages to their own scripts and out of frames.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// actingAs is the member a page acts as (the creator when none is named).
func actingAs(r *http.Request) Person {
	if p, ok := person(r.FormValue("as")); ok && p.ID != BotID {
		return p
	}
	return People[0]
}

func (c *Console) serveConversation(w http.ResponseWriter, r *http.Request) {
	as := actingAs(r)
	ch, ok := channel(r.PathValue("id"))
	if !ok || (ch.With != "" && ch.With != as.ID) {
		http.Error(w, "no such conversation for "+as.Name, http.StatusNotFound)
		return
	}
	p := c.basePage(r.Context(), as)
	p.Current = ch
	for _, m := range c.api.Messages(ch.ID, as.ID) {
		p.Messages = append(p.Messages, c.drawMessage(m))
	}
	c.render(w, p)
}

func (c *Console) serveHome(w http.ResponseWriter, r *http.Request) {
	as := actingAs(r)
	if r.Header.Get("X-Console") == "" {
		// A visit, not a redraw: Slack tells the app the tab was opened.
		if err := c.HomeOpened(r.Context(), as.ID); err != nil {
			c.log.Warn("console: tell golive the App Home opened", "err", err)
		}
	}
	p := c.basePage(r.Context(), as)
	p.Home = true
	p.Current = p.DM
	if v := c.api.Home(as.ID); v != nil {
		hv, err := drawView(v, false)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		p.HomeView = hv
	}
	c.render(w, p)
}

func (c *Console) basePage(ctx context.Context, as Person) page {
	p := page{As: as, People: People, Channels: Channels, DM: dmOf(as.ID), Empty: c.api.Empty(), Version: c.api.Version()}
	now := c.clock.Now()
	p.Now = now.UTC().Format("Mon 2 Jan 2006 15:04 UTC")
	if ahead := c.clock.Offset(); ahead > 0 {
		p.Ahead = humanDuration(ahead)
	}
	if at, ok, err := c.store.NextReminderAt(ctx, nil); err == nil && ok {
		if at.After(now) {
			p.Next = "next reminder in " + humanDuration(at.Sub(now))
		} else {
			p.Next = "a reminder is due now"
		}
	}
	if v := c.api.Modal(as.ID); v != nil {
		if mv, err := drawView(v, true); err == nil {
			p.Modal = mv
		}
	}
	return p
}

func humanDuration(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	minutes := int(d % time.Hour / time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, minutes)
	}
	return fmt.Sprintf("%dm", max(minutes, 1))
}

func (c *Console) drawMessage(m Message) messageView {
	mv := messageView{Frame: Frame{Channel: m.Channel, TS: m.TS}, Author: displayName(m.User), Text: m.Text,
		Ephemeral: m.For != "", Edited: m.Edited, Files: c.api.Files(m.Files)}
	if sec, _, _ := strings.Cut(m.TS, "."); sec != "" {
		if n, err := strconv.ParseInt(sec, 10, 64); err == nil {
			mv.Time = time.Unix(n, 0).UTC().Format("Jan 2 15:04")
		}
	}
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &mv.Blocks); err != nil {
			c.log.Error("console: draw a message", "ts", m.TS, "err", err)
		}
	}
	return mv
}

func (c *Console) render(w http.ResponseWriter, p page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		c.log.Error("console: draw a page", "err", err)
		http.Error(w, "the console could not draw this page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.Copy(w, &buf)
}

// fromPage guards what the pages post: only the console's own script sets
// X-Console, which another site's form cannot, so no other page open in
// the browser can act as a member. An error is answered as text for the
// page to show.
func (c *Console) fromPage(h func(r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Console") != "1" {
			http.Error(w, "the console takes posts from its own pages only", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPageBody)
		// What a member sent goes through as it would in Slack, even when
		// they leave the page before it is done.
		r = r.WithContext(context.WithoutCancel(r.Context()))
		if err := h(r); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, errStale) {
				status = http.StatusConflict
			}
			http.Error(w, err.Error(), status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (c *Console) postCommand(r *http.Request) error {
	as := actingAs(r)
	ch, ok := channel(r.FormValue("channel"))
	if !ok || (ch.With != "" && ch.With != as.ID) {
		return errors.New("no such conversation")
	}
	typed := strings.TrimSpace(r.FormValue("text"))
	if typed == "" {
		return nil
	}
	if rest, ok := strings.CutPrefix(typed, "/golive"); ok && (rest == "" || rest[0] == ' ') {
		return c.Command(r.Context(), as.ID, ch.ID, strings.TrimSpace(rest))
	}
	if strings.HasPrefix(typed, "/") {
		name, _, _ := strings.Cut(typed, " ")
		return fmt.Errorf("%s is not a command here: golive's is /golive (try /golive help)", name)
	}
	c.api.Add(r.Context(), Message{Channel: ch.ID, User: as.ID, Text: slackEsc.Replace(typed)})
	return nil
}

func (c *Console) postClick(r *http.Request) error {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fmt.Errorf("read the click: %w", err)
	}
	block, err1 := strconv.Atoi(r.FormValue("block"))
	index, err2 := strconv.Atoi(r.FormValue("element"))
	if err1 != nil || err2 != nil {
		return errors.New("the click names no element")
	}
	return c.Click(r.Context(), Click{User: actingAs(r).ID, Channel: r.FormValue("channel"), TS: r.FormValue("ts"),
		ViewID: r.FormValue("view"), Block: block, Element: index, Selected: r.Form["selected"]})
}

func (c *Console) postSubmit(r *http.Request) error {
	if err := r.ParseMultipartForm(maxPageBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fmt.Errorf("read the form: %w", err)
	}
	s := Submission{User: actingAs(r).ID, ViewID: r.FormValue("view"), Values: map[int][]string{}}
	for name, values := range r.Form {
		if i, ok := inputIndex(name); ok {
			s.Values[i] = values
		}
	}
	if r.MultipartForm != nil {
		for name, headers := range r.MultipartForm.File {
			i, ok := inputIndex(name)
			if !ok {
				continue
			}
			for _, fh := range headers {
				if fh.Size == 0 && fh.Filename == "" {
					continue
				}
				f, err := fh.Open()
				if err != nil {
					return fmt.Errorf("read %s: %w", fh.Filename, err)
				}
				data, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("read %s: %w", fh.Filename, err)
				}
				s.Values[i] = append(s.Values[i], c.Share(fh.Filename, data))
			}
		}
	}
	return c.Submit(r.Context(), s)
}

// inputIndex reads a form field named "in-N": the input of block N.
func inputIndex(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "in-")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	return i, err == nil
}

func (c *Console) postClose(r *http.Request) error {
	return c.Close(r.Context(), actingAs(r).ID, r.FormValue("view"))
}

func (c *Console) postDemo(r *http.Request) error {
	return c.Demo(r.Context(), r.FormValue("channel"))
}

func (c *Console) postClock(r *http.Request) error {
	_, err := c.JumpToNextReminder(r.Context())
	return err
}
