package main

import (
	"slices"
	"testing"

	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/config"
)

// TestShippedWatchlist checks the shipped config.yaml against headlines of
// the kind its users follow, and against look-alikes that must stay out:
// precision matters as much as recall.
func TestShippedWatchlist(t *testing.T) {
	cfg, err := config.Parse(mustRead(t, "../../config.yaml"), "config.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	m, err := classify.Compile(cfg.Topics)
	if err != nil {
		t.Fatalf("shipped topics: %v", err)
	}
	tests := []struct {
		title, summary string
		want           []string // topics, any order; nil = none
	}{
		// From the seed articles' themes, EN.
		{"Sheinbaum rejects Trump offer to send US troops into Mexico", "She says Mexico's sovereignty is not for sale.", []string{"sovereignty", "troops"}},
		{"Mexico sends 55 cartel members to the U.S. to face trial", "", []string{"cartels"}},
		{"US designates Sinaloa Cartel a foreign terrorist organization", "Mexico weighs its response.", []string{"cartels"}},
		{"Without USMCA, the Mexican economy would likely crash", "", []string{"usmca"}},
		{"USMCA joint review set for July", "Negotiators meet in Washington.", []string{"usmca"}},
		{"Pentagon weighs drone strikes on cartel labs in Mexico", "", []string{"cartels", "troops"}},
		{"Mexico deploys 10,000 National Guard troops to US border", "", []string{"troops"}},
		{"How could Mexico respond to US military action?", "Analysts weigh a violation of Mexican sovereignty.", []string{"sovereignty", "troops"}},
		{"Fentanyl seizures fall as Mexico dismantles drug labs", "", []string{"cartels"}},
		// ES.
		{"Sheinbaum: la soberanía de México no se negocia ante Estados Unidos", "", []string{"sovereignty"}},
		{"Cártel de Sinaloa: detienen a operador en Culiacán", "", []string{"cartels"}},
		{"El CJNG amplía su presencia en Guanajuato", "", []string{"cartels"}},
		{"Revisión del T-MEC: lo que está en juego para México", "", []string{"usmca"}},
		{"Trump amenaza con aranceles de 30% a México", "", []string{"usmca"}},
		{"Guardia Nacional refuerza la frontera con Estados Unidos", "Despliegue en Chihuahua y Sonora, México.", []string{"troops"}},
		{"EE.UU. no enviará tropas a México, dice Sheinbaum", "", []string{"troops"}},
		{"Huachicol fiscal: cae red en Tamaulipas", "", []string{"cartels"}},
		// Look-alikes that must not match.
		{"OPEC+ cartel agrees to cut oil output", "Mexico's Pemex is not a member.", nil},
		{"Cartel de Santa anuncia gira por México", "", nil},
		{"Vive Latino revela el cartel del festival 2027 en México", "", nil},
		{"Troops withdraw from eastern Ukraine", "Kyiv says the front line holds.", nil},
		{"Israel sends troops into southern Lebanon", "", nil},
		{"Moody's cuts Mexico sovereign rating outlook", "Sovereign debt concerns in Mexico.", nil},
		{"Soberanía alimentaria: México apuesta por el maíz nativo", "", nil},
		{"EU and Mercosur sign free trade agreement", "", nil},
		{"US imposes new tariffs on Chinese steel", "", nil},
		{"Police raid in Chicago after ICE protest", "", nil},
		{"Mexico City marathon draws record crowd", "", nil},
	}
	for _, tt := range tests {
		got := []string{}
		for _, mt := range m.Match(classify.Doc{Title: tt.title, Summary: tt.summary}) {
			got = append(got, mt.Topic)
		}
		want := tt.want
		if want == nil {
			want = []string{}
		}
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Match(%q, %q) = %v; want %v", tt.title, tt.summary, got, want)
		}
	}
}
