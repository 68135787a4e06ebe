# A user policy that does not compile: the metadata object is never closed.
package shiplint.rules.broken

metadata := {
	"id": "broken",
