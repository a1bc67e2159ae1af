// Package scheduletest builds the launch the reminder tests of package
// schedule and package delivery go through.
package scheduletest

import (
	"fmt"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Launch returns a launch with a readiness section (one gate, failing), two
// pending roles, and seven windows like seed 000's: 1 week, 3 days and 1 day
// before launch, launch day, 1 day after, first week (+7) and first month
// (+30), each with tasks, most of them owned.
func Launch(channel, date, zone string) *launch.Launch {
	number := 0
	items := func(owners ...string) []*checklist.Item {
		var out []*checklist.Item
		for _, o := range owners {
			number++
			out = append(out, &checklist.Item{Number: number, Text: fmt.Sprintf("Task %d", number), Owner: o, Task: true})
		}
		return out
	}
	c := &checklist.Checklist{Title: "Test"}
	c.Sections = append(c.Sections, &checklist.Section{Index: 0, Number: 1, Title: "Security", Kind: checklist.KindReadiness,
		Groups: []*checklist.Group{{Index: 0, Items: items("UALICE", "UALICE", "", "")}}})
	windows := []struct {
		name   string
		offset int
		owners []string
	}{
		{"1 Week Before Launch", -7, []string{"UBOB", "UCAROL"}},
		{"3 Days Before Launch", -3, []string{"UCAROL", ""}},
		{"1 Day Before Launch", -1, []string{"UBOB"}},
		{"Launch Day", 0, []string{"UDAN", "UBOB"}},
		{"1 Day After Launch", 1, []string{"UCAROL"}},
		{"First Week", 7, []string{""}},
		{"First Month", 30, []string{"UDAN"}},
	}
	for si, split := range [][]int{{0, 4}, {4, 7}} {
		sec := &checklist.Section{Index: si + 1, Number: si + 2, Title: fmt.Sprintf("Tasks %d", si+1), Kind: checklist.KindWindow}
		for gi, w := range windows[split[0]:split[1]] {
			g := &checklist.Group{Index: gi, Title: w.name, Window: &checklist.WindowSpec{OffsetMinutes: w.offset * 1440}, Items: items(w.owners...)}
			win := checklist.Window{Name: w.name, OffsetMinutes: w.offset * 1440, Section: sec.Index, Group: gi}
			for _, it := range g.Items {
				win.Items = append(win.Items, it.Number)
			}
			sec.Groups = append(sec.Groups, g)
			c.Windows = append(c.Windows, win)
		}
		c.Sections = append(c.Sections, sec)
	}
	c.Gates = []checklist.Gate{{Name: "Security", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}}}
	c.Roles = []*checklist.Role{
		{Name: "Engineering Lead", Holder: "UERIN", Verdict: checklist.VerdictPending},
		{Name: "Security Lead", Verdict: checklist.VerdictPending},
	}
	return &launch.Launch{TeamID: "T1", ChannelID: channel, Name: "Launch " + channel, Date: date, Timezone: zone,
		Creator: "UCREATOR", Checklist: c}
}

// SubDayLaunch returns a launch with windows in hours around launch time.
func SubDayLaunch(date, at, zone string) *launch.Launch {
	c := &checklist.Checklist{Title: "Hours"}
	sec := &checklist.Section{Index: 0, Title: "Cutover", Kind: checklist.KindWindow}
	for gi, w := range []struct {
		name   string
		offset int
	}{{"1 Day Before Launch", -1440}, {"T-4 Hours", -240}, {"Go-Live Day", 0}, {"T+1 Hour", 60}} {
		n := gi + 1
		sec.Groups = append(sec.Groups, &checklist.Group{Index: gi, Title: w.name, Window: &checklist.WindowSpec{OffsetMinutes: w.offset},
			Items: []*checklist.Item{{Number: n, Text: "Task", Task: true}}})
		c.Windows = append(c.Windows, checklist.Window{Name: w.name, OffsetMinutes: w.offset, Section: 0, Group: gi, Items: []int{n}})
	}
	c.Sections = []*checklist.Section{sec}
	return &launch.Launch{ID: 1, TeamID: "T1", ChannelID: "C1", Name: "Cutover", Date: date, Time: at, Timezone: zone, Creator: "UCREATOR", Checklist: c}
}
