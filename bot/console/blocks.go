package console

import (
	"encoding/json"
)

// rawBlock is a Block Kit block as the console reads it to draw it and to
// describe clicks on it: every field of the kinds golive sends.
type rawBlock struct {
	Type      string    `json:"type"`
	BlockID   string    `json:"block_id,omitempty"`
	Text      *text     `json:"text,omitempty"`
	Fields    []*text   `json:"fields,omitempty"`
	Accessory *element  `json:"accessory,omitempty"`
	Elements  []element `json:"elements,omitempty"`
	Label     *text     `json:"label,omitempty"`
	Element   *element  `json:"element,omitempty"`
	Hint      *text     `json:"hint,omitempty"`
	Optional  bool      `json:"optional,omitempty"`
	ImageURL  string    `json:"image_url,omitempty"`
	AltText   string    `json:"alt_text,omitempty"`
	Title     *text     `json:"title,omitempty"`
}

// text is a text object: plain_text or mrkdwn.
type text struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Emoji    bool   `json:"emoji,omitempty"`
	Verbatim bool   `json:"verbatim,omitempty"`
}

// option is an option of a checkboxes, select, overflow or radio element.
type option struct {
	Text        *text  `json:"text"`
	Value       string `json:"value"`
	Description *text  `json:"description,omitempty"`
}

// element is an interactive element, an input, or an element of a context
// block (an image, or a text object, which then is its own Text).
type element struct {
	Type           string `json:"type"`
	ActionID       string `json:"action_id,omitempty"`
	Text           *text  `json:"text,omitempty"`
	Value          string `json:"value,omitempty"`
	URL            string `json:"url,omitempty"`
	Style          string `json:"style,omitempty"`
	Options        []option
	OptionGroups   []optionGroup
	InitialOptions []option
	InitialOption  *option
	Placeholder    *text
	InitialValue   string
	InitialDate    string
	Multiline      bool
	MaxFiles       int
	Filetypes      []string
	ImageURL       string
	AltText        string
	Confirm        json.RawMessage
}

type optionGroup struct {
	Label   *text    `json:"label"`
	Options []option `json:"options"`
}

// UnmarshalJSON reads an element; a context block's text object carries
// its text as a string, a button its label as an object.
func (e *element) UnmarshalJSON(data []byte) error {
	var raw struct {
		Type           string          `json:"type"`
		ActionID       string          `json:"action_id"`
		Text           json.RawMessage `json:"text"`
		Emoji          bool            `json:"emoji"`
		Value          string          `json:"value"`
		URL            string          `json:"url"`
		Style          string          `json:"style"`
		Options        []option        `json:"options"`
		OptionGroups   []optionGroup   `json:"option_groups"`
		InitialOptions []option        `json:"initial_options"`
		InitialOption  *option         `json:"initial_option"`
		Placeholder    *text           `json:"placeholder"`
		InitialValue   string          `json:"initial_value"`
		InitialDate    string          `json:"initial_date"`
		Multiline      bool            `json:"multiline"`
		MaxFiles       int             `json:"max_files"`
		Filetypes      []string        `json:"filetypes"`
		ImageURL       string          `json:"image_url"`
		AltText        string          `json:"alt_text"`
		Confirm        json.RawMessage `json:"confirm"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*e = element{Type: raw.Type, ActionID: raw.ActionID, Value: raw.Value, URL: raw.URL, Style: raw.Style,
		Options: raw.Options, OptionGroups: raw.OptionGroups, InitialOptions: raw.InitialOptions, InitialOption: raw.InitialOption,
		Placeholder: raw.Placeholder, InitialValue: raw.InitialValue, InitialDate: raw.InitialDate, Multiline: raw.Multiline,
		MaxFiles: raw.MaxFiles, Filetypes: raw.Filetypes, ImageURL: raw.ImageURL, AltText: raw.AltText, Confirm: raw.Confirm}
	if len(raw.Text) > 0 {
		var s string
		if json.Unmarshal(raw.Text, &s) == nil {
			e.Text = &text{Type: raw.Type, Text: s, Emoji: raw.Emoji}
		} else {
			e.Text = &text{}
			if err := json.Unmarshal(raw.Text, e.Text); err != nil {
				return err
			}
		}
	}
	return nil
}

// allOptions returns an element's options, those of its groups included.
func (e *element) AllOptions() []option {
	out := append([]option(nil), e.Options...)
	for _, g := range e.OptionGroups {
		out = append(out, g.Options...)
	}
	return out
}

// isChosen says whether an option starts chosen.
func (e *element) IsChosen(o option) bool {
	if e.InitialOption != nil && e.InitialOption.Value == o.Value {
		return true
	}
	for _, x := range e.InitialOptions {
		if x.Value == o.Value {
			return true
		}
	}
	return false
}
