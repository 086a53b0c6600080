package digest

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
)

// sharedHosts are sites whose links carry many outlets' stories (news
// aggregators, feed proxies, link shorteners): a link there says nothing
// about the outlet. Google News items name their outlet in the title, which
// the poll makes their source.
var sharedHosts = map[string]bool{
	"google.com": true, "feedburner.com": true, "t.co": true, "bit.ly": true, "ow.ly": true,
	"buff.ly": true, "dlvr.it": true, "apple.news": true, "flipboard.com": true,
}

// outlets counts distinct outlets as items are added. Two items are one
// outlet when their sources are the same name (folded: case and accents
// ignored), or when their links are on the same site (its registrable
// domain: www.reuters.com and reuters.com, edition.cnn.com and cnn.com),
// directly or through other items: one outlet's two feeds count once, and a
// Google News item counts as the outlet it names.
type outlets struct {
	node   map[string]int // "n:" folded name or "s:" site → node
	parent []int
	n      int // distinct outlets so far
}

// add counts item it and returns its outlet, valid until the next add
// (find it again with root).
func (o *outlets) add(it newsdigest.Item) int {
	if o.node == nil {
		o.node = map[string]int{}
	}
	keys := []string{"n:" + classify.FoldString(source(it))}
	if s := site(it.Link); s != "" {
		keys = append(keys, "s:"+s)
	}
	first := -1
	for _, k := range keys {
		i, ok := o.node[k]
		switch {
		case !ok && first < 0:
			i = len(o.parent)
			o.parent = append(o.parent, i)
			o.node[k] = i
			o.n++
		case !ok:
			o.node[k] = first
			continue
		}
		if first < 0 {
			first = o.root(i)
		} else if r := o.root(i); r != first {
			o.parent[r] = first // two outlets were one all along
			o.n--
		}
	}
	return o.root(first)
}

// root is the outlet node i belongs to now.
func (o *outlets) root(i int) int {
	for o.parent[i] != i {
		o.parent[i] = o.parent[o.parent[i]]
		i = o.parent[i]
	}
	return i
}

// countOutlets is the number of distinct outlets among members.
func countOutlets(ms []member) int {
	var o outlets
	for _, m := range ms {
		o.add(m.c.Item)
	}
	return o.n
}

// site is the registrable domain of an http(s) link, lowercased: "" for
// none, for a shared host, and for an IP address or a name without a
// public suffix (localhost), which name no outlet.
func site(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return ""
	}
	s, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil || sharedHosts[s] {
		return ""
	}
	return s
}
