package fakeslack

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// textObject is a Block Kit text object.
type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type block struct {
	Type     string       `json:"type"`
	Text     *textObject  `json:"text"`
	Fields   []textObject `json:"fields"`
	Elements []textObject `json:"elements"`
}

// CheckMessage returns the error code Slack would answer for a message with
// this text and these blocks (a JSON array, or empty), or "" when Slack
// would accept it. It knows header, section, context and divider blocks;
// any other block type is invalid_blocks.
func CheckMessage(text string, blocks json.RawMessage) string {
	if utf8.RuneCountInString(text) >= MaxText {
		return "msg_too_long"
	}
	if len(blocks) == 0 || string(blocks) == "null" {
		if strings.TrimSpace(text) == "" {
			return "no_text"
		}
		return ""
	}
	var bs []block
	if err := json.Unmarshal(blocks, &bs); err != nil {
		return "invalid_blocks_format"
	}
	if len(bs) > MaxBlocks {
		return "invalid_blocks"
	}
	total := 0
	validText := func(t *textObject, max int, types ...string) bool {
		if t == nil || t.Text == "" {
			return false
		}
		n := utf8.RuneCountInString(t.Text)
		total += n
		ok := false
		for _, typ := range types {
			ok = ok || t.Type == typ
		}
		return ok && n <= max
	}
	for _, b := range bs {
		switch b.Type {
		case "header":
			if !validText(b.Text, MaxHeaderText, "plain_text") {
				return "invalid_blocks"
			}
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return "invalid_blocks"
			}
			if b.Text != nil && !validText(b.Text, MaxSectionText, "plain_text", "mrkdwn") {
				return "invalid_blocks"
			}
			if len(b.Fields) > 10 {
				return "invalid_blocks"
			}
			for i := range b.Fields {
				if !validText(&b.Fields[i], 2000, "plain_text", "mrkdwn") {
					return "invalid_blocks"
				}
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > MaxContextElements {
				return "invalid_blocks"
			}
			for i := range b.Elements {
				if !validText(&b.Elements[i], MaxSectionText, "plain_text", "mrkdwn") {
					return "invalid_blocks"
				}
			}
		case "divider":
		default:
			return "invalid_blocks"
		}
	}
	if total >= MaxBlockText {
		return "msg_too_long"
	}
	return ""
}
