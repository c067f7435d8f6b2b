#!/usr/bin/env bash
# gen_class.sh - write a generated class: every layout grader class knows,
# right and wrong solutions, and the submissions it must refuse to grade
#
# Usage: tests/class/gen_class.sh DIR [N]
#   DIR/cls   a class folder: folders per student (with and without the
#             header), flat LOGIN.c files, Moodle folders, and the broken
#             ones (no C file, two candidates, a binary, an unreadable file)
#   DIR/gs    a Gradescope export (submission_metadata.yml + folders)
#   N         (default 0) as many more students again, for the bench: the
#             references, the alternatives, the mutants and the hostile
#             submissions in turn, each with a comment that makes it unique
set -eu
cd "$(dirname "$0")/../.."
D=$1
N=${2:-0}
rm -rf "$D"
mkdir -p "$D/cls" "$D/gs"
c=$D/cls

mkdir -p "$c/alice" "$c/bob" "$c/empty" "$c/two"
cp references/ref_solution.c "$c/alice/hypervisor_sim.c"
cp alternatives/alt_1.c "$c/bob/hypervisor_sim.c"
cp include/hypervisor_sim.h "$c/bob/"
cp mutants/mutant_a_boundary.c "$c/carol.c"
cp mutants/mutant_c_resource.c "$c/dan.c"
mkdir -p "$c/Jean Dupont_4242_assignsubmission_file_/westworld"
cp mutants/mutant_d_logic.c "$c/Jean Dupont_4242_assignsubmission_file_/westworld/hypervisor_sim.c"
mkdir -p "$c/Zoe Martin_4243_assignsubmission_file_"
cp tests/hostile/fork_storm.c "$c/Zoe Martin_4243_assignsubmission_file_/tp.c"
printf 'int main(void) { return 0 }\n' >"$c/frank.c"      # does not build
cp alternatives/alt_2.c "$c/two/a.c"
cp alternatives/alt_3.c "$c/two/b.c"
head -c 4096 /bin/true >"$c/gina.c"                     # a binary
ln -s /nonexistent/hypervisor_sim.c "$c/hank.c"          # unreadable
echo "the class list" >"$c/README.txt"                   # not a submission

g=$D/gs
mkdir -p "$g/submission_101" "$g/submission_102"
cp alternatives/alt_3.c "$g/submission_101/hypervisor_sim.c"
cp mutants/refused_1_no_null_check.c "$g/submission_102/hypervisor_sim.c"
cat >"$g/submission_metadata.yml" <<'YML'
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '9001'
    :email: ada@example.edu
  :created_at: 2026-11-30 10:00:00.000000000 +00:00
  :score:
  :status: processed
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: '9002'
    :email: alan@example.edu
  :created_at: 2026-11-30 11:00:00.000000000 +00:00
  :score:
  :status: processed
YML

# the bench's many: right, wrong and hostile in turn, each one unique
pool=(references/ref_solution.c alternatives/alt_1.c alternatives/alt_2.c
      alternatives/alt_3.c references/ref_solution.c mutants/mutant_a_boundary.c
      mutants/mutant_b_safety.c mutants/mutant_c_resource.c mutants/mutant_e_return.c
      mutants/refused_2_leak_on_error.c references/ref_solution.c
      tests/hostile/fork_storm.c alternatives/alt_1.c mutants/mutant_d_logic.c)
for ((i = 0; i < N; i++)); do
	f=${pool[i % ${#pool[@]}]}
	{ cat "$f"; printf '/* student %d */\n' "$i"; } >"$c/s$(printf %04d "$i").c"
done
