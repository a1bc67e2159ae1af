package console

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// View is a modal or an App Home as the bot sent it, with the id the
// console gave it.
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

// viewHead is the part of a view the console reads itself.
type viewHead struct {
	Type            string `json:"type"`
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	ExternalID      string `json:"external_id"`
	NotifyOnClose   bool   `json:"notify_on_close"`
}

// newView reads a view the bot sent.
func (c *Console) newView(user string, doc []byte) (*View, error) {
	var h viewHead
	if err := json.Unmarshal(doc, &h); err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	return &View{ID: c.newID("V"), User: user, Doc: append(json.RawMessage(nil), doc...), Type: h.Type,
		CallbackID: h.CallbackID, PrivateMetadata: h.PrivateMetadata, ExternalID: h.ExternalID, NotifyOnClose: h.NotifyOnClose}, nil
}

// answer is the view object the Web API returns: the bot's JSON with the
// console's id.
func (v *View) answer() map[string]any {
	out := map[string]any{}
	_ = json.Unmarshal(v.Doc, &out)
	out["id"] = v.ID
	out["root_view_id"] = v.ID
	out["team_id"] = TeamID
	out["hash"] = v.ID
	return out
}

// openModal puts a modal on user's stack: the only one (views.open) or
// over the others (views.push).
func (c *Console) openModal(v *View, push bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !push {
		for _, old := range c.modals[v.User] {
			delete(c.views, old.ID)
		}
		c.modals[v.User] = nil
	}
	c.modals[v.User] = append(c.modals[v.User], v)
	c.views[v.ID] = v
	c.changed()
}

// updateView replaces the view with id (or external id) by next, keeping
// its id; false when there is no such view.
func (c *Console) updateView(id, externalID string, next *View) (*View, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var old *View
	if id != "" {
		old = c.views[id]
	} else {
		for _, v := range c.views {
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
	c.changed()
	return old, true
}

// closeModal takes the top modal off user's stack, or all of them.
func (c *Console) closeModal(user string, all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stack := c.modals[user]
	if len(stack) == 0 {
		return
	}
	n := len(stack) - 1
	if all {
		n = 0
	}
	for _, v := range stack[n:] {
		delete(c.views, v.ID)
	}
	c.modals[user] = stack[:n]
	c.changed()
}

// Modal returns user's top modal, nil when none is open.
func (c *Console) Modal(user string) *View {
	c.mu.Lock()
	defer c.mu.Unlock()
	stack := c.modals[user]
	if len(stack) == 0 {
		return nil
	}
	v := *stack[len(stack)-1]
	return &v
}

// view returns a copy of the view with id.
func (c *Console) view(id string) (*View, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.views[id]
	if !ok {
		return nil, false
	}
	cp := *v
	return &cp, true
}

// setErrors records the field errors of a modal's submission.
func (c *Console) setErrors(id string, errs map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.views[id]; ok {
		v.Errors = errs
		v.Rev++
		c.changed()
	}
}

const homeSetting = "home:"

// publishHome sets user's App Home and records it.
func (c *Console) publishHome(ctx context.Context, v *View) {
	c.mu.Lock()
	if old, ok := c.homes[v.User]; ok {
		v.ID = old.ID
		delete(c.views, old.ID)
	}
	c.homes[v.User] = v
	c.views[v.ID] = v
	c.changed()
	c.mu.Unlock()
	if err := c.store.SetConsoleSetting(ctx, homeSetting+v.User, string(v.Doc)); err != nil {
		c.log.Error("console: record an App Home", "user", v.User, "err", err)
	}
}

// Home returns user's App Home, nil when golive never published one.
func (c *Console) Home(user string) *View {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.homes[user]
	if !ok {
		return nil
	}
	cp := *v
	return &cp
}

func (c *Console) loadHomes(ctx context.Context) error {
	for _, p := range People {
		doc, err := c.store.ConsoleSetting(ctx, homeSetting+p.ID)
		if err != nil {
			return fmt.Errorf("console: load the App Home of %s: %w", p.ID, err)
		}
		if strings.TrimSpace(doc) == "" {
			continue
		}
		v, err := c.newView(p.ID, []byte(doc))
		if err != nil {
			return fmt.Errorf("console: load the App Home of %s: %w", p.ID, err)
		}
		c.homes[p.ID] = v
		c.views[v.ID] = v
	}
	return nil
}
