package webapi

import (
	"strings"
	"sync"
)

// Member is someone in the workspace.
type Member struct {
	ID     string
	Handle string // what follows @
	Name   string // real name
	// Display is the display name; Name when empty.
	Display string
	Email   string
	Deleted bool
	Bot     bool
}

// DisplayName is how Slack shows the member.
func (m Member) DisplayName() string {
	if m.Display != "" {
		return m.Display
	}
	return m.Name
}

// Conversation is a channel, or a member's DM with the app.
type Conversation struct {
	ID   string
	Name string
	// With is the member of a DM, "" for a channel.
	With string
}

// Directory says who and which conversations exist.
type Directory interface {
	// Member returns the member with id.
	Member(id string) (Member, bool)
	// MemberByEmail returns the member with that email address, any case.
	MemberByEmail(email string) (Member, bool)
	// Conversation returns the conversation with id: a channel, a DM, or
	// the DM with the app of the member with id.
	Conversation(id string) (Conversation, bool)
	// DM returns a member's DM with the app.
	DM(member string) (Conversation, bool)
}

// Open is the directory of a workspace where everyone exists: any user id
// is a member (named after it, "Display UDANA" shown), any channel id a
// channel, and a member's DM with the app is "D" and their id without its
// "U". Add tells more of a member: an email, deleted, a bot.
type Open struct {
	mu      sync.Mutex
	members map[string]Member
}

// Add records what the directory says of a member beyond the default.
func (o *Open) Add(m Member) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.members == nil {
		o.members = map[string]Member{}
	}
	o.members[m.ID] = m
}

func (o *Open) Member(id string) (Member, bool) {
	if id == "" {
		return Member{}, false
	}
	o.mu.Lock()
	m, ok := o.members[id]
	o.mu.Unlock()
	def := Member{ID: id, Handle: strings.ToLower(id), Name: "Real " + id, Display: "Display " + id}
	if !ok {
		return def, true
	}
	if m.Handle == "" {
		m.Handle = def.Handle
	}
	if m.Name == "" {
		m.Name = def.Name
	}
	if m.Display == "" {
		m.Display = def.Display
	}
	return m, true
}

func (o *Open) MemberByEmail(email string) (Member, bool) {
	o.mu.Lock()
	var found string
	for id, m := range o.members {
		if m.Email != "" && strings.EqualFold(m.Email, email) {
			found = id
		}
	}
	o.mu.Unlock()
	if found == "" {
		return Member{}, false
	}
	return o.Member(found)
}

func (o *Open) Conversation(id string) (Conversation, bool) {
	if id == "" {
		return Conversation{}, false
	}
	if strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") {
		return o.DM(id)
	}
	return Conversation{ID: id, Name: strings.ToLower(id)}, true
}

func (o *Open) DM(member string) (Conversation, bool) {
	if member == "" {
		return Conversation{}, false
	}
	return Conversation{ID: "D" + strings.TrimPrefix(member, "U"), Name: "golive", With: member}, true
}
