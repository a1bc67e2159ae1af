package console

import (
	"strings"

	"github.com/golive/golive/bot/webapi"
)

// Person is a demo member of the console's workspace.
type Person struct {
	ID     string
	Handle string // what follows @ in the message box
	Name   string
	// Part is what they are in the demo launch, shown in the switcher.
	Part  string
	Email string
}

// The console's team and its bot user.
const (
	TeamID   = "TCONSOLE"
	TeamName = "golive console"
	BotID    = "UGOLIVE"
	botName  = "golive"
)

// People are the console's members: the demo launch's creator, an item
// owner, a holder of each of the web template's four roles, and a stranger
// to the launch.
var People = []Person{
	{ID: "UALEX", Handle: "alex", Name: "Alex Martin", Part: "creates the launch"},
	{ID: "USAM", Handle: "sam", Name: "Sam Okafor", Part: "owns Infrastructure"},
	{ID: "UPRIYA", Handle: "priya", Name: "Priya Shah", Part: "Engineering Lead"},
	{ID: "UJORDAN", Handle: "jordan", Name: "Jordan Lee", Part: "Product Manager"},
	{ID: "UDANA", Handle: "dana", Name: "Dana Novak", Part: "Security Lead"},
	{ID: "UKAI", Handle: "kai", Name: "Kai Tanaka", Part: "Operations Lead"},
	{ID: "UROBIN", Handle: "robin", Name: "Robin Diaz", Part: "not in the launch"},
}

func init() {
	for i := range People {
		People[i].Email = People[i].Handle + "@example.com"
	}
}

// person returns the member with id.
func person(id string) (Person, bool) {
	for _, p := range People {
		if p.ID == id {
			return p, true
		}
	}
	if id == BotID {
		return Person{ID: BotID, Handle: botName, Name: botName}, true
	}
	return Person{}, false
}

// personByHandle returns the member whose handle is h, any case.
func personByHandle(h string) (Person, bool) {
	for _, p := range People {
		if strings.EqualFold(p.Handle, h) {
			return p, true
		}
	}
	return Person{}, false
}

// displayName is how a user id shows in messages: a member's name, the
// raw id for anyone else.
func displayName(id string) string {
	if p, ok := person(id); ok {
		return p.Name
	}
	return id
}

// Channel is a conversation of the console: a channel where launches run,
// or a member's DM with golive.
type Channel struct {
	ID   string
	Name string
	// With is the member of a DM, "" for a channel.
	With string
}

// Channels are the console's public channels, one launch each.
var Channels = []Channel{
	{ID: "C01WEB", Name: "launch-website"},
	{ID: "C02API", Name: "launch-api"},
	{ID: "C03APP", Name: "launch-mobile"},
}

// dmOf returns a member's DM with golive.
func dmOf(user string) Channel {
	return Channel{ID: "D" + strings.TrimPrefix(user, "U"), Name: botName, With: user}
}

// channel returns the conversation with id: a channel or a member's DM.
func channel(id string) (Channel, bool) {
	for _, c := range Channels {
		if c.ID == id {
			return c, true
		}
	}
	for _, p := range People {
		if dm := dmOf(p.ID); dm.ID == id {
			return dm, true
		}
	}
	return Channel{}, false
}

// directory is the workspace's directory for the Web API: the console's
// people and channels, and each person's DM with golive.
type directory struct{}

func member(p Person) webapi.Member {
	return webapi.Member{ID: p.ID, Handle: p.Handle, Name: p.Name, Email: p.Email}
}

func (directory) Member(id string) (webapi.Member, bool) {
	if id == BotID {
		return webapi.Member{}, false
	}
	p, ok := person(id)
	return member(p), ok
}

func (directory) MemberByEmail(email string) (webapi.Member, bool) {
	for _, p := range People {
		if strings.EqualFold(p.Email, email) {
			return member(p), true
		}
	}
	return webapi.Member{}, false
}

// Conversation resolves where a message goes: a channel, a DM, or a
// member's id for their DM with golive.
func (directory) Conversation(id string) (webapi.Conversation, bool) {
	if _, ok := person(id); ok && id != BotID {
		dm := dmOf(id)
		return webapi.Conversation(dm), true
	}
	ch, ok := channel(id)
	return webapi.Conversation(ch), ok
}

func (directory) DM(user string) (webapi.Conversation, bool) {
	if _, ok := person(user); !ok || user == BotID {
		return webapi.Conversation{}, false
	}
	return webapi.Conversation(dmOf(user)), true
}
