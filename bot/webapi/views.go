package webapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
)

// View is a modal or an App Home as the bot sent it, with the id the
// workspace gave it.
type View struct {
	ID   string
	User string
	// Doc is the view's JSON as the bot sent it.
	Doc  json.RawMessage
	Type string
	// CallbackID, PrivateMetadata and ExternalID come back with a
	// submission, as in Slack.
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	NotifyOnClose   bool
	// Errors are the field errors of the last submission, by block_id.
	Errors map[string]string
	// Rev counts the view's changes, so a page redraws a modal only when
	// it changed (and keeps what was typed in it otherwise).
	Rev int
}

// viewHead is the part of a view the workspace reads itself.
type viewHead struct {
	Type            string `json:"type"`
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	ExternalID      string `json:"external_id"`
	NotifyOnClose   bool   `json:"notify_on_close"`
}

// NewView reads a view the bot sent, for user, and gives it an id.
func (s *Server) NewView(user string, doc []byte) (*View, error) {
	var h viewHead
	if err := json.Unmarshal(doc, &h); err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	return &View{ID: s.newID("V"), User: user, Doc: append(json.RawMessage(nil), doc...), Type: h.Type,
		CallbackID: h.CallbackID, PrivateMetadata: h.PrivateMetadata, ExternalID: h.ExternalID, NotifyOnClose: h.NotifyOnClose}, nil
}

// Object is the view object the Web API returns: the bot's JSON with the
// workspace's id.
func (v *View) Object(team string) map[string]any {
	out := map[string]any{}
	_ = json.Unmarshal(v.Doc, &out)
	out["id"] = v.ID
	out["root_view_id"] = v.ID
	out["team_id"] = team
	out["hash"] = v.ID
	return out
}

// trigger is a trigger_id given with a command or a click: it lets the bot
// open a modal for that member, once, within 3 seconds.
type trigger struct {
	user    string
	expires time.Time
}

// triggerLife is how long a trigger_id works, as in Slack.
const triggerLife = 3 * time.Second

// NewTrigger gives user a trigger_id, for a command or a click.
func (s *Server) NewTrigger(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newIDLocked("trigger.") + "." + strings.ToLower(user)
	now := time.Now()
	for k, t := range s.triggers {
		if now.After(t.expires) {
			delete(s.triggers, k)
		}
	}
	s.triggers[id] = trigger{user: user, expires: now.Add(triggerLife)}
	return id
}

// useTrigger spends a trigger_id: the member it was given to, or false
// when it is unknown, spent or expired. Without strict triggers any
// trigger_id but "" works.
func (s *Server) useTrigger(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.triggers[id]
	delete(s.triggers, id)
	if !s.strict {
		return t.user, id != ""
	}
	if !ok || time.Now().After(t.expires) {
		return "", false
	}
	return t.user, true
}

func (s *Server) openView(a Call) map[string]any {
	user, ok := s.useTrigger(a.Get("trigger_id"))
	if !ok {
		return apiError("expired_trigger_id")
	}
	v, err := s.NewView(user, []byte(a.Get("view")))
	if err != nil || v.Type != string(slack.VTModal) {
		return apiError("invalid_arguments")
	}
	if errs := checkModal(v.Doc); len(errs) > 0 {
		s.log.Error("webapi: the bot opened a modal Slack would refuse", "breaches", strings.Join(errs, "; "))
		return apiError("invalid_arguments")
	}
	s.OpenModal(v, a.Method == "views.push")
	return map[string]any{"ok": true, "view": v.Object(s.team.ID)}
}

func checkModal(doc []byte) []string {
	var m slack.ModalViewRequest
	if err := json.Unmarshal(doc, &m); err != nil {
		return []string{err.Error()}
	}
	return render.CheckModal(m)
}

func (s *Server) replaceView(a Call) map[string]any {
	next, err := s.NewView("", []byte(a.Get("view")))
	if err != nil {
		return apiError("invalid_arguments")
	}
	v, ok := s.UpdateView(a.Get("view_id"), a.Get("external_id"), next)
	if !ok {
		return apiError("not_found")
	}
	return map[string]any{"ok": true, "view": v.Object(s.team.ID)}
}

func (s *Server) publishView(ctx context.Context, a Call) map[string]any {
	user := a.Get("user_id")
	if _, ok := s.dir.Member(user); !ok || user == s.team.BotUser {
		return apiError("user_not_found")
	}
	v, err := s.NewView(user, []byte(a.Get("view")))
	if err != nil || v.Type != string(slack.VTHomeTab) {
		return apiError("invalid_arguments")
	}
	var home slack.HomeTabViewRequest
	if err := json.Unmarshal(v.Doc, &home); err == nil {
		if errs := render.CheckHome(home); len(errs) > 0 {
			s.log.Error("webapi: the bot published a Home Slack would refuse", "breaches", strings.Join(errs, "; "))
			return apiError("invalid_arguments")
		}
	}
	s.publishHome(ctx, v)
	return map[string]any{"ok": true, "view": v.Object(s.team.ID)}
}

// OpenModal puts a modal on its user's stack: the only one (views.open) or
// over the others (views.push).
func (s *Server) OpenModal(v *View, push bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !push {
		for _, old := range s.modals[v.User] {
			delete(s.views, old.ID)
		}
		s.modals[v.User] = nil
	}
	s.modals[v.User] = append(s.modals[v.User], v)
	s.views[v.ID] = v
	s.version++
}

// UpdateView replaces the view with id (or external id) by next, keeping
// its id; false when there is no such view.
func (s *Server) UpdateView(id, externalID string, next *View) (*View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var old *View
	if id != "" {
		old = s.views[id]
	} else {
		for _, v := range s.views {
			if externalID != "" && v.ExternalID == externalID {
				old = v
			}
		}
	}
	if old == nil {
		return nil, false
	}
	next.ID, next.User, next.Rev = old.ID, old.User, old.Rev+1
	*old = *next
	s.version++
	cp := *old
	return &cp, true
}

// CloseModal takes the top modal off user's stack, or all of them.
func (s *Server) CloseModal(user string, all bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stack := s.modals[user]
	if len(stack) == 0 {
		return
	}
	n := len(stack) - 1
	if all {
		n = 0
	}
	for _, v := range stack[n:] {
		delete(s.views, v.ID)
	}
	s.modals[user] = stack[:n]
	s.version++
}

// Modal returns user's top modal, nil when none is open.
func (s *Server) Modal(user string) *View {
	s.mu.Lock()
	defer s.mu.Unlock()
	stack := s.modals[user]
	if len(stack) == 0 {
		return nil
	}
	v := *stack[len(stack)-1]
	return &v
}

// View returns a copy of the view with id.
func (s *Server) View(id string) (*View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[id]
	if !ok {
		return nil, false
	}
	cp := *v
	return &cp, true
}

// SetErrors records the field errors of a modal's submission.
func (s *Server) SetErrors(id string, errs map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.views[id]; ok {
		v.Errors = errs
		v.Rev++
		s.version++
	}
}

// publishHome sets the App Home of v's user and keeps it.
func (s *Server) publishHome(ctx context.Context, v *View) {
	s.mu.Lock()
	if old, ok := s.homes[v.User]; ok {
		v.ID = old.ID
		delete(s.views, old.ID)
	}
	s.homes[v.User] = v
	s.views[v.ID] = v
	s.version++
	s.mu.Unlock()
	if s.keeper != nil {
		s.keeper.KeepHome(ctx, v.User, v.Doc)
	}
}

// LoadHome puts back user's App Home kept before a restart.
func (s *Server) LoadHome(user string, doc []byte) error {
	v, err := s.NewView(user, doc)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.homes[user] = v
	s.views[v.ID] = v
	return nil
}

// Home returns user's App Home, nil when the bot never published one.
func (s *Server) Home(user string) *View {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.homes[user]
	if !ok {
		return nil
	}
	cp := *v
	return &cp
}
