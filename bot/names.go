package bot

import (
	"strings"
	"sync"
)

// maxNames bounds the directory per team; past it the team starts afresh.
const maxNames = 10000

// directory remembers the user names that verified requests carried, per
// team: the fallback for a plain @name typed where a mention was expected,
// and the names shown in checkbox options, where mentions do not render.
type directory struct {
	mu    sync.Mutex
	ids   map[string]map[string]string // team -> lower-case name -> user id
	names map[string]map[string]string // team -> user id -> name
}

func newDirectory() *directory {
	return &directory{ids: map[string]map[string]string{}, names: map[string]map[string]string{}}
}

// learn records that user id goes by name in team.
func (d *directory) learn(team, id, name string) {
	name = strings.TrimSpace(name)
	if team == "" || id == "" || name == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ids, names := d.ids[team], d.names[team]
	if ids == nil || len(ids) >= maxNames {
		ids, names = map[string]string{}, map[string]string{}
		d.ids[team], d.names[team] = ids, names
	}
	ids[strings.ToLower(name)] = id
	names[id] = name
}

// lookup returns the id of the user called name in team, "" when unknown.
func (d *directory) lookup(team, name string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ids[team][strings.ToLower(strings.TrimSpace(name))]
}

// namesOf returns a resolver of user ids to names for team.
func (d *directory) namesOf(team string) func(id string) string {
	return func(id string) string {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.names[team][id]
	}
}
