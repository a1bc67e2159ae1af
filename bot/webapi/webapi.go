// Package webapi is a Slack workspace's Web API held in memory: the
// methods golive calls (auth.test, chat.*, conversations.*, users.*,
// views.*, files.*, apps.connections.open), response_urls, and file
// uploads and downloads, served over HTTP to a slack-go client pointed at
// it (slack.OptionAPIURL(url + "/api/")). It is golive's one fake Slack:
// the local console builds its workspace on it, and the tests talk to it.
//
// It answers as Slack does: the bot token only, the Block Kit limits,
// members and conversations its Directory knows, trigger ids that expire.
// It records every call, and can be told to fail as Slack does: 429 with
// Retry-After, 5xx, a Slack error, an answer held past the caller's
// timeout, a connection cut.
package webapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
)

// maxBody bounds a request; an export upload is the largest.
const maxBody = 32 << 20

// Team is the workspace: its id and name, and the app's bot user.
type Team struct {
	ID, Name string
	BotUser  string
}

// Keeper keeps what the workspace holds across restarts (the console
// keeps it in golive's database). Its methods are called without the
// workspace's lock held, and log their own failures.
type Keeper interface {
	KeepMessage(ctx context.Context, m Message)
	ForgetMessage(ctx context.Context, channel, ts string)
	KeepHome(ctx context.Context, user string, doc []byte)
}

// Config is what New needs; everything has a default.
type Config struct {
	// Token is the bot token the API takes; default DefaultToken.
	Token string
	// AppToken is the app-level token apps.connections.open takes, and
	// no other method; default DefaultAppToken.
	AppToken string
	// Team is the workspace; default T1 "golive test", bot user UBOT.
	Team Team
	// Directory says who and which conversations exist; default an Open
	// one, where everyone does.
	Directory Directory
	// StrictTriggers makes views.open and views.push take only a
	// trigger_id NewTrigger gave, once, within 3 seconds, as Slack does;
	// otherwise any trigger_id opens a modal.
	StrictTriggers bool
	// Now dates messages (their ts); default time.Now.
	Now func() time.Time
	// Keeper, when set, is told of every message and App Home kept.
	Keeper Keeper
	// FaultFor, when set, decides how a call FailNext scripted nothing
	// for fails, if it does: by the post's metadata, say.
	FaultFor func(c Call) (Fault, bool)
	// Respond, when set, takes a post to a response_url (id is the
	// URL's last part), and its error answers 400; otherwise the post
	// is recorded and answered 200.
	Respond func(ctx context.Context, id string, body []byte) error
	// Root is the path everything is served under ("/webapi": the API at
	// /webapi/api/METHOD); default "", the server's root.
	Root   string
	Logger *slog.Logger
}

// The tokens of a Server configured without them.
const (
	DefaultToken    = "xoxb-test-token"
	DefaultAppToken = "xapp-test-token"
)

// Server is the workspace and its Web API. It is safe for concurrent use.
type Server struct {
	token    string
	appToken string
	team     Team
	dir      Directory
	strict   bool
	now      func() time.Time
	keeper   Keeper
	respond  func(ctx context.Context, id string, body []byte) error
	faultFor func(c Call) (Fault, bool)
	log      *slog.Logger
	root     string
	handler  http.Handler
	failures failures

	mu       sync.Mutex
	messages map[string][]*Message // by channel, in ts order
	lastTS   int64                 // microseconds of the latest ts given
	modals   map[string][]*View    // by user, the stack, top last
	homes    map[string]*View      // by user
	views    map[string]*View      // by id
	triggers map[string]trigger
	files    map[string]*File
	socket   string // what apps.connections.open answers
	// tokens are the bot tokens the API takes, and whose workspace each is.
	tokens    map[string]Team
	app       *App
	codes     map[string]Install
	refreshes map[string]Install
	seq       int
	// version counts changes, for pages to see that they are stale.
	version int64
}

// New returns an empty workspace.
func New(cfg Config) *Server {
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	if cfg.AppToken == "" {
		cfg.AppToken = DefaultAppToken
	}
	if cfg.Team.ID == "" {
		cfg.Team = Team{ID: "T1", Name: "golive test", BotUser: "UBOT"}
	}
	if cfg.Directory == nil {
		cfg.Directory = &Open{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{token: cfg.Token, appToken: cfg.AppToken, team: cfg.Team, dir: cfg.Directory, strict: cfg.StrictTriggers, now: cfg.Now,
		keeper: cfg.Keeper, respond: cfg.Respond, faultFor: cfg.FaultFor, log: cfg.Logger, root: strings.TrimSuffix(cfg.Root, "/"),
		messages: map[string][]*Message{}, modals: map[string][]*View{}, homes: map[string]*View{},
		views: map[string]*View{}, triggers: map[string]trigger{}, files: map[string]*File{},
		tokens: map[string]Team{cfg.Token: cfg.Team}, codes: map[string]Install{}, refreshes: map[string]Install{}}
	s.failures.init()
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+s.root+"/api/{method}", s.serveAPI)
	mux.HandleFunc("POST "+s.root+"/response/{id}", s.serveResponse)
	mux.HandleFunc("POST "+s.root+"/upload/{id}", s.serveUpload)
	mux.HandleFunc("GET "+s.root+"/files-pri/{id}/{name}", s.serveDownload)
	s.handler = mux
	return s
}

// ServeHTTP serves, under the root path, the Web API at /api/METHOD,
// response_urls at /response/ID, uploads at /upload/ID and downloads at
// /files-pri/ID/NAME.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetSocketURL sets what apps.connections.open answers: a Socket Mode
// endpoint.
func (s *Server) SetSocketURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.socket = u
}

// Call is one Web API request: its method and its form fields or JSON
// body, as recorded.
type Call struct {
	Method string
	// Path is the request's path: a response_url's says which it is.
	Path   string
	Form   url.Values                 // form-encoded requests
	JSON   []byte                     // JSON-bodied requests and response_url posts
	fields map[string]json.RawMessage // the JSON body's fields
	// base is the workspace's address as the caller reached it.
	base string
	At   time.Time
	// Limited says the call was answered 429 by a rate limit in force.
	Limited bool
	// Team is the workspace whose bot token the call carried, "" when it
	// carried none the workspace knows.
	Team string
}

// Get returns a field, from the form or the JSON body.
func (c Call) Get(name string) string {
	if v := c.Form.Get(name); v != "" {
		return v
	}
	raw, ok := c.fields[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// serveAPI answers the Web API methods, to the bot's token only.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	call := Call{Method: r.PathValue("method"), Path: r.URL.Path, base: s.base(r), At: time.Now()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		call.JSON = body
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}") // a method without arguments
		}
		if err := json.Unmarshal(body, &call.fields); err != nil {
			writeJSON(w, apiError("invalid_json"))
			return
		}
	} else if call.Form, err = url.ParseQuery(string(body)); err != nil {
		writeJSON(w, apiError("invalid_form_data"))
		return
	}
	team, known := s.teamOf(r, call.Form.Get("token"))
	call.Team = team.ID
	s.serveCall(w, r, call, func(w http.ResponseWriter) {
		switch {
		case call.Method == "oauth.v2.access":
			writeJSON(w, s.oauthAccess(r, call))
		case call.Method == "apps.connections.open" && !authorized(r, call.Form.Get("token"), s.appToken):
			writeJSON(w, apiError("invalid_auth"))
		case call.Method != "apps.connections.open" && !known:
			writeJSON(w, apiError("invalid_auth"))
		default:
			writeJSON(w, s.api(r.Context(), call))
		}
	})
}

// authorized checks that a request carries token, as a bearer or a form
// field. Calls are recorded without it.
func authorized(r *http.Request, formToken, token string) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		tok = formToken
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(token)) == 1
}

func apiError(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// base is the workspace's own address as the caller reaches it.
func (s *Server) base(r *http.Request) string { return "http://" + r.Host + s.root }

// api answers one call.
func (s *Server) api(ctx context.Context, a Call) map[string]any {
	switch a.Method {
	case "auth.test":
		team := s.team
		if a.Team != "" && a.Team != s.team.ID {
			team, _ = s.teamByID(a.Team)
		}
		return map[string]any{"ok": true, "url": "http://localhost/", "team": team.Name, "user": "golive",
			"team_id": team.ID, "user_id": team.BotUser, "bot_id": "BGOLIVE"}
	case "chat.postMessage":
		return s.postMessage(ctx, a)
	case "chat.update":
		return s.updateMessage(ctx, a)
	case "chat.postEphemeral":
		return s.postEphemeral(ctx, a)
	case "chat.delete":
		if !s.Remove(ctx, a.Get("channel"), a.Get("ts")) {
			return apiError("message_not_found")
		}
		return map[string]any{"ok": true, "channel": a.Get("channel"), "ts": a.Get("ts")}
	case "conversations.open":
		users := strings.Split(a.Get("users"), ",")
		if len(users) != 1 {
			return apiError("not_supported")
		}
		dm, ok := s.dir.DM(users[0])
		if !ok || users[0] == s.team.BotUser {
			return apiError("user_not_found")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": dm.ID, "is_im": true}}
	case "conversations.info":
		ch, ok := s.dir.Conversation(a.Get("channel"))
		if !ok {
			return apiError("channel_not_found")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": ch.ID, "name": ch.Name, "is_im": ch.With != ""}}
	case "conversations.history":
		return s.history(a)
	case "users.info":
		m, ok := s.member(a.Get("user"))
		if !ok {
			return apiError("user_not_found")
		}
		return map[string]any{"ok": true, "user": s.userObject(m)}
	case "users.lookupByEmail":
		m, ok := s.dir.MemberByEmail(a.Get("email"))
		if !ok {
			return apiError("users_not_found")
		}
		return map[string]any{"ok": true, "user": s.userObject(m)}
	case "views.open", "views.push":
		return s.openView(a)
	case "views.update":
		return s.replaceView(a)
	case "views.publish":
		return s.publishView(ctx, a)
	case "files.getUploadURLExternal":
		return s.uploadURL(a)
	case "files.completeUploadExternal":
		return s.completeUpload(ctx, a)
	case "files.info":
		f, ok := s.File(a.Get("file"))
		if !ok {
			return apiError("file_not_found")
		}
		return map[string]any{"ok": true, "file": f.Object(a.base)}
	case "apps.connections.open":
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.socket == "" {
			return apiError("not_allowed_token_type")
		}
		return map[string]any{"ok": true, "url": s.socket}
	}
	s.log.Warn("webapi: the bot called a Web API method the workspace does not have", "method", a.Method)
	return apiError("unknown_method")
}

// member returns a member, the bot user included.
func (s *Server) member(id string) (Member, bool) {
	if id != "" && id == s.team.BotUser {
		return Member{ID: id, Handle: "golive", Name: "golive", Bot: true}, true
	}
	return s.dir.Member(id)
}

func (s *Server) userObject(m Member) map[string]any {
	return map[string]any{"id": m.ID, "team_id": s.team.ID, "name": m.Handle, "real_name": m.Name, "tz": "UTC",
		"deleted": m.Deleted, "is_bot": m.Bot,
		"profile": map[string]any{"display_name": m.DisplayName(), "real_name": m.Name, "email": m.Email}}
}

// checkMessage refuses what Slack would: no text and no blocks, or blocks
// outside Block Kit's limits (which it answers invalid_blocks).
func (s *Server) checkMessage(text, raw string) (json.RawMessage, string) {
	if raw == "" {
		if strings.TrimSpace(text) == "" {
			return nil, "no_text"
		}
		return nil, ""
	}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return nil, "invalid_blocks_format"
	}
	msg := render.Message{Text: text, Blocks: blocks.BlockSet}
	if breaches := render.CheckMessage(msg); len(breaches) > 0 {
		s.log.Error("webapi: the bot sent a message Slack would refuse", "breaches", strings.Join(breaches, "; "))
		return nil, "invalid_blocks"
	}
	return json.RawMessage(raw), ""
}

// CheckAnswer checks a response_url's or an acknowledgement's message as
// Slack would: "" when it passes, Slack's error otherwise.
func (s *Server) CheckAnswer(text string, blocks json.RawMessage) string {
	if blocks == nil || string(blocks) == "null" {
		return ""
	}
	_, refused := s.checkMessage(text, string(blocks))
	return refused
}

func (s *Server) postMessage(ctx context.Context, a Call) map[string]any {
	ch, ok := s.dir.Conversation(a.Get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	blocks, refused := s.checkMessage(a.Get("text"), a.Get("blocks"))
	if refused != "" {
		return apiError(refused)
	}
	m := s.Add(ctx, Message{Channel: ch.ID, User: s.team.BotUser, Text: a.Get("text"), Blocks: blocks, Metadata: rawOrNil(a.Get("metadata"))})
	return map[string]any{"ok": true, "channel": ch.ID, "ts": m.TS, "message": map[string]any{"type": "message", "ts": m.TS, "text": m.Text}}
}

func rawOrNil(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

func (s *Server) updateMessage(ctx context.Context, a Call) map[string]any {
	ch, ok := s.dir.Conversation(a.Get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	blocks, refused := s.checkMessage(a.Get("text"), a.Get("blocks"))
	if refused != "" {
		return apiError(refused)
	}
	if old, ok := s.Message(ch.ID, a.Get("ts")); !ok || old.User != s.team.BotUser {
		return apiError("message_not_found")
	}
	m, _ := s.Replace(ctx, ch.ID, a.Get("ts"), func(m *Message) {
		m.Text, m.Blocks = a.Get("text"), blocks
		if meta := rawOrNil(a.Get("metadata")); meta != nil {
			m.Metadata = meta
		}
	})
	return map[string]any{"ok": true, "channel": ch.ID, "ts": m.TS, "text": m.Text}
}

func (s *Server) postEphemeral(ctx context.Context, a Call) map[string]any {
	ch, ok := s.dir.Conversation(a.Get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	user := a.Get("user")
	if _, ok := s.dir.Member(user); !ok {
		return apiError("user_not_found")
	}
	blocks, refused := s.checkMessage(a.Get("text"), a.Get("blocks"))
	if refused != "" {
		return apiError(refused)
	}
	m := s.Add(ctx, Message{Channel: ch.ID, User: s.team.BotUser, Text: a.Get("text"), Blocks: blocks, For: user})
	return map[string]any{"ok": true, "message_ts": m.TS}
}

// history answers conversations.history: the channel's messages for
// everyone, newest first, with their metadata when asked for.
func (s *Server) history(a Call) map[string]any {
	ch, ok := s.dir.Conversation(a.Get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	withMeta := a.Get("include_all_metadata") == "1" || a.Get("include_all_metadata") == "true"
	list := s.Messages(ch.ID, "")
	limit, _ := strconv.Atoi(a.Get("limit"))
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	out := []map[string]any{}
	for i := len(list) - 1; i >= 0 && len(out) < limit; i-- {
		m := map[string]any{"type": "message", "ts": list[i].TS, "text": list[i].Text, "user": list[i].User}
		if withMeta && list[i].Metadata != nil {
			m["metadata"] = list[i].Metadata
		}
		out = append(out, m)
	}
	return map[string]any{"ok": true, "messages": out, "has_more": false}
}

// serveResponse takes a post to a response_url.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "could not read the answer", http.StatusBadRequest)
		return
	}
	call := Call{Method: "response_url", Path: r.URL.Path, JSON: body, At: time.Now()}
	s.serveCall(w, r, call, func(w http.ResponseWriter) {
		if s.respond != nil {
			if err := s.respond(r.Context(), r.PathValue("id"), body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// newID returns an id with prefix, unique in this workspace.
func (s *Server) newID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked(prefix)
}

func (s *Server) newIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%05d", prefix, s.seq)
}
