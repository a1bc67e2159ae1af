package render

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Action ids of the interactive checklist: "tick:<k>" for the k-th checkboxes
// element of a page, "nav:prev" and "nav:next" for the buttons, "pick" for the
// section picker.
const (
	ActionTick = "tick"
	ActionNav  = "nav"
	ActionPick = "pick"
)

// Navigation action ids (ActionNav + ":" + direction).
const (
	ActionNavPrev = ActionNav + ":prev"
	ActionNavNext = ActionNav + ":next"
)

// View is one page of one section of the interactive checklist.
type View struct {
	Section int // section index, from 0
	Page    int // page within the section, from 0
}

// maxViewNumber bounds each part of a parsed view: far above any checklist,
// far below an overflow.
const maxViewNumber = 999999

// String gives the compact form used in block ids and button values: "3.0".
func (v View) String() string {
	return strconv.Itoa(v.Section) + "." + strconv.Itoa(v.Page)
}

// ParseView reads the compact form "3.0". The value comes back from Slack in
// clicks, so anything but two small unsigned decimal numbers is refused.
func ParseView(s string) (View, error) {
	sec, page, ok := strings.Cut(s, ".")
	if !ok {
		return View{}, errors.New("view: want SECTION.PAGE")
	}
	a, err := viewNumber(sec)
	if err != nil {
		return View{}, fmt.Errorf("view section: %w", err)
	}
	b, err := viewNumber(page)
	if err != nil {
		return View{}, fmt.Errorf("view page: %w", err)
	}
	return View{Section: a, Page: b}, nil
}

func viewNumber(s string) (int, error) {
	if s == "" || len(s) > len(strconv.Itoa(maxViewNumber)) {
		return 0, errors.New("want 1 to 6 digits")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errors.New("want digits only")
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("no leading zeros")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxViewNumber {
		return 0, errors.New("out of range")
	}
	return n, nil
}
