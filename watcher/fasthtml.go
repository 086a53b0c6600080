package watcher

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// gofeed's HTML handling of Atom text (v1.4.2, MIT licence:
// internal/shared/xmlbase.go ResolveHTML and atom/parser.go
// stripWrappingDiv), which the fast path applies where gofeed does.

// htmlURIAttrs are the HTML attributes gofeed resolves against xml:base.
var htmlURIAttrs = map[string]bool{
	"action": true, "background": true, "cite": true, "codebase": true,
	"data": true, "href": true, "poster": true, "profile": true,
	"scheme": true, "src": true, "uri": true, "usemap": true,
}

// resolveHTML is gofeed's shared.ResolveHTML: with a base, the HTML is
// parsed, its URI attributes resolved, and rendered again.
func resolveHTML(base *url.URL, relHTML string) string {
	if base == nil {
		return relHTML
	}
	doc, err := html.Parse(strings.NewReader(relHTML))
	if err != nil {
		return relHTML
	}
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for i, a := range n.Attr {
				if htmlURIAttrs[a.Key] {
					if abs, err := xmlBaseResolve(base, a.Val); abs != nil && err == nil {
						n.Attr[i].Val = abs.String()
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
	var w bytes.Buffer
	if err := html.Render(&w, doc); err != nil {
		return relHTML
	}
	out := strings.TrimPrefix(w.String(), "<html><head></head><body>")
	return strings.TrimSuffix(out, "</body></html>")
}

// stripWrappingDiv is gofeed's atom stripWrappingDiv: when the HTML's only
// element is a div, its content. Text without a '<' has no element, and
// gofeed's HTML parse of it changes nothing: it is returned at once.
func stripWrappingDiv(content string) string {
	if strings.IndexByte(content, '<') < 0 {
		return content
	}
	doc, err := html.Parse(strings.NewReader(content))
	if err != nil {
		return content
	}
	body := findElement(doc, "body")
	if body == nil {
		return content
	}
	var div *html.Node
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if div != nil || c.Data != "div" {
			return content
		}
		div = c
	}
	if div == nil {
		return content
	}
	var buf bytes.Buffer
	for c := div.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&buf, c); err != nil {
			return content
		}
	}
	return buf.String()
}

// findElement is the first element of that name, depth first.
func findElement(n *html.Node, name string) *html.Node {
	if n.Type == html.ElementNode && n.Data == name {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := findElement(c, name); found != nil {
			return found
		}
	}
	return nil
}
