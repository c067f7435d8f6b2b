# tools/subject.mk - the student's subject (docs/subject.*.md) and its kit
#
#   make subject         rewrite the subject's generated sections from
#                        spec.json and the header (tools/subject.py)
#   make subject-check   part of make test: the committed subject is what the
#                        spec and the header make it; and the check itself
#                        fails on a spec whose points moved (so it can fail)

.PHONY: subject subject-check
test: subject-check
subject:
	$(Q)python3 tools/subject.py

subject-check:
	$(call msg,CHECK,docs/subject.fr.md docs/subject.en.md)
	$(Q)python3 tools/subject.py --check
	$(Q)mkdir -p $(BUILD)/subject
	$(Q)python3 -c 'import json, os, sys; s = json.load(open("spec.json")); \
		s["header"] = os.path.abspath(s["header"]); \
		s["moulinette"]["tests"][0]["points"] += 1; \
		json.dump(s, open(sys.argv[1], "w"))' $(BUILD)/subject/drifted.json
	$(Q)if python3 tools/subject.py --check --spec $(BUILD)/subject/drifted.json \
		>/dev/null 2>$(BUILD)/subject/drifted.err; then \
		echo "subject-check: a spec with other points passed --check"; exit 1; \
	fi; grep -q "is out of date" $(BUILD)/subject/drifted.err || \
		{ echo "subject-check: no 'out of date' message:"; cat $(BUILD)/subject/drifted.err; exit 1; }
