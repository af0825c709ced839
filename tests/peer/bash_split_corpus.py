# A corpus of bash commands for velora's port of OpenHands' split_bash_commands
# (runtime-server/bash_split.ts): hand-picked cases, then seeded random ones of four kinds
# (realistic agent commands, nested compound commands, fragment soup, character soup). Prints
# {"cases": [...], "results": [...]}, each result OpenHands' split (openhands-ai 0.62.0, bashlex
# 0.18) or {"raise": <exception type>, "message": <text>}. Used by tests/peer/bash_split_peer_test.ts.
import json
import random
import sys

from openhands.runtime.utils.bash import split_bash_commands

HAND = [
"cat <<'EOF' > f\nx\nEOF\n",
"cat <<'EOF'\nx\nEOF",
"cat << 'EOF'\nx\nEOF",
"cat > f << 'EOF'\nx\nEOF\npython f",
"cat > f <<'EOF'\nx\nEOF\npython f",
"cat <<\"EOF\"\nx\nEOF",
"cat <<EOF > f\nx\nEOF",
"cat <<EOF > f\nx\nEOF\nls",
"cat > f <<EOF\nx\nEOF\nls",
"cat <<E\"O\"F\nx\nEOF",
"cat <<\\EOF\nx\nEOF",
"python3 - <<'PY'\nprint(1)\nPY",
"cat <<EOF\nx\nEOF\n",
"cat <<EOF\nx",
"cat <<EOF | grep x\nx\nEOF\nls",
"cat <<A <<B\na\nA\nb\nB\nls",
"cat <<EOF\n$(date)\nEOF\nls",
"cat <<EOF\nunbalanced ' quote\nEOF\nls",
"cat <<'EOF'\nunbalanced ' quote\nEOF",
"cat << EOF\nx\nEOF\nls",
"[[ $a == b ]]\nls",
"[[ -n x ]]",
"[ -f x ]\nls",
"test -f x && echo y\nls",
"if [ -f x ]; then echo; fi\nls",
"echo $[1+2]\nls",
"a=(1 2 3)\nls",
"echo ${a[0]}\nls",
"export A=1\nls",
"declare -A m\nls",
"function f { echo; }\nf",
"{ echo a; echo b; }\nls",
"{ echo a\necho b\n}\nls",
"until false; do break; done\nls",
"echo a ||\necho b",
"echo a |&\ncat",
"echo a;echo b\nls",
"cd /x && \\\n  make\nls",
"echo 'a\nb'\nls",
"echo \"$(ls \"x\")\"\nls",
"echo \\\"\nls",
"echo a \\\n b\nls",
"  \n  echo a",
"# only comment",
"echo a\n# trailing comment",
"echo a  # c",
"echo a\n\n\n",
"if true\nthen\n echo a\nelif false\nthen\n echo b\nelse\n echo c\nfi",
"for f in *.py\ndo\n  echo $f\ndone\necho end",
"git add -A\ngit commit -m 'x'",
"cd /workspace && ls\npwd",
"echo a >f\n",
"sed -i 's/a/b/' f\ncat f",
"python -c 'print(1)\nprint(2)'\nls",
"echo \"unterminated\nls",
"echo $(\nls",
"echo `ls",
"echo a & echo b\nls",
"echo a&\nls",
"ls; \n",
"echo hi\nexit 0",
"echo ~\nls",
"echo a > >(cat)\nls",
"echo a 2>/dev/null\nls",
"x=$(cat <<EOF\nhi\nEOF\n)\nls",
"echo \"a\" 'b' c\"d\"\nls",
"echo a\r\n",
"echo a\\",
"while true; do sleep 1; done &\nls",
"trap 'echo x' EXIT\nls",
"source ~/.bashrc\nls",
". x\nls",
"echo {1..3}\nls",
"echo *\nls",
"echo a!b\nls",
"echo !x\nls",
"echo $@ $# $? $$ $!\nls",
"echo ${#a}\nls",
"echo ${a//x/y}\nls",
"echo \"${a}\"\nls",
"wait\nls",
"jobs\nls",
"kill %1\nls",
"sleep 1 &",
"fg",
"echo $(ls;)",
"echo $(ls &)",
"echo $(a && b)",
"echo $(a | b)",
"echo $(a; b)",
"echo $(a & b)",
"echo $(ls\n)",
"echo $( ls )",
"echo $()",
"echo $( )",
"echo `ls;`",
"echo `a && b`",
"echo $(a\nb)",
"echo $(if true; then echo; fi)",
"x=$(if true; then echo; fi)",
"echo $({ a; })",
"echo $((a))",
"echo $( (a) )",
"echo $(a || b)",
"echo $(! a)",
"echo $(a |\nb)",
"echo $(a &&\nb)",
"echo $(for i in 1; do echo; done)",
"echo $(while a; do b; done)",
"echo $(a > f)",
"echo $(cat <<EOF\nx\nEOF\n)",
"echo <(a;)",
"echo `a\nb`",
"echo \"$(a;)\"",
"echo $(a)$(b;)",
"echo $(echo \")\")",
"echo $(# c\nls)",
"echo $(ls # c\n)",
"echo $(case a in a) ;; esac)",
"echo $(f() { a; })",
"echo `fi`",
"echo `;`",
"echo `# c`",
"echo \\`fi\\`",
"echo a\\`fi`",
"echo a\necho b",
"echo a\n\necho b",
"echo a \necho b",
"echo a;\necho b",
"echo a; \necho b",
"echo a &&\necho b",
"echo a\n  echo b",
"# c\necho a",
"echo a\n# c\necho b",
"echo a # c\necho b",
"cat <<EOF\nhi\nEOF\necho b",
"cat <<EOF\nhi\nEOF",
"for i in 1 2; do\necho $i\ndone",
"if true; then\necho a\nfi\necho b",
"echo $((1+2))\necho b",
"[[ -f x ]]\necho b",
"echo \"a\nb\"\necho c",
"echo 'unterminated\necho b",
"echo a\\\necho b",
"case x in a) echo;; esac\necho b",
"f() { echo; }\nf",
"echo a &\necho b",
"echo a | \ngrep a",
"(cd /; ls)\nls",
"echo `date`\nls"
]

FRAGS = ['echo', 'a', 'b', 'ls', '-la', 'x=1', 'y=$(pwd)', '"q s"', "'s q'", '$x', '${x}', '${x:-d}', '$(ls)', '`ls`', '$((1))', '$[1]', '<(ls)', '>(cat)',
 ';', '&&', '||', '|', '&', '\n', '\n', '\n', ' ', ' ', '  ', '\t', '#c', '# comment', '>', '>>', '<', '2>&1', '>&2', '<<EOF', '<<-EOF', "<<'EOF'", '<<<', 'EOF', '\tEOF',
 'if', 'then', 'else', 'elif', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', ';;', '{', '}', '(', ')', 'function', 'f()', '!', 'time', '[[', ']]',
 '\\', '\\\n', '"', "'", '`', '$', '$(', 'cd /tmp', 'git status', 'python3 -', 'cat', '*', '~', '~/x', 'a=(1 2)', '2>/dev/null', '$"x"', "$'x\\n'", '\\"', '\\$(x)', 'é', '😀', '\r\n',
 'x\\\ny', '"$(echo ")")"', '"a\nb"', '$(echo a\necho b)', '$( )', '$()', '`;`', '$(a;)', '$(a && b)', '$(a; b)', '{a,b}', '0<<EOF', '&>f', '>|f', '<>f', '>&-', '1>&2']
STRUCTURED = [
 'cat <<EOF\n{b}\nEOF', 'cat <<-EOF\n\t{b}\n\tEOF', "cat <<'EOF'\n{b}\nEOF", 'if {a}; then\n{b}\nfi', 'for i in {a}; do\n{b}\ndone', 'while {a}; do {b}; done',
 '{ {a}; {b}; }', '({a}; {b})', 'f() {\n{a}\n}', '{a} &&\n{b}', '{a} |\n{b}', 'x=$({a})', 'echo "{a}"', "echo '{a}'", '{a} # {b}', '{a}\n\n{b}', '{a};\n{b}', '{a} &\n{b}',
 'cat > f <<EOF\n{a}\nEOF\n{b}', 'python3 - <<EOF\n{a}\nEOF', '{a} \\\n {b}', 'echo $({a}\n{b})', 'echo `{a}`', 'case {a} in x) {b};; esac', '! {a}', 'time {a}',
]

def soup_cmd(depth=0):
    if depth < 2 and rng.random() < 0.35:
        t = rng.choice(STRUCTURED)
        return t.replace('{a}', soup_cmd(depth+1)).replace('{b}', soup_cmd(depth+1))
    k = rng.randint(1, 6)
    out = ''
    for _ in range(k):
        f = rng.choice(FRAGS)
        sep = rng.choice([' ', ' ', '', '\n', ';']) if out else ''
        out += sep + f
    return out
ALPHA = list("$(){}[]'\"`\\\n;&|<>#- \t") + ['a','e','f','i','o','d','n','x','EOF','if ','fi','do ','done','then ','for ','in ','case ','esac','{ ','} ',' <<EOF\n','\nEOF\n','<<-','\t','=', '~', '!', '*','2','1','é']

SIMPLE = ['ls -la', 'cd /workspace/repo', 'git status', 'git diff --stat', 'python3 -m pytest tests/ -x -q', 'echo "done: $x"', "grep -rn 'foo' src/ | head -20",
 'x=$(git rev-parse HEAD)', 'export PATH=$PATH:/opt/bin', 'sleep 1 &', 'kill %1', 'cat f >> g', 'make 2>&1 | tail -5', 'echo ${HOME}/x', 'find . -name "*.py" -exec grep -l x {} \\;',
 'python -c "print(1)"', "sed -i 's/a/b/g' f.py", 'pip install -e . >/dev/null 2>&1', 'test -f x && echo yes || echo no', 'echo `date`', 'diff <(ls a) <(ls b)', 'echo $((1+2))',
 'a=(1 2 3)', '[[ -f x ]] && echo y', 'echo "multi\nline"', "echo 'a;b'", 'echo a\\;b', 'true', ': noop', 'echo $1 $@ $#', 'cd -', 'pushd /tmp >/dev/null', 'source venv/bin/activate',
 '. ./env.sh', 'echo hi # comment', 'exit 0', 'wait', 'time ls', 'ls *.txt', 'echo ~/x', 'echo $(echo $(echo nested))', 'echo "$(cat f | wc -l)"', 'cat <<< "here string"', 'npm test -- --watch=false',
 'mvn -q test -Dtest=FooTest', 'echo -e "a\\tb"', "awk '{print $1}' f", 'echo {1..5}', 'while read l; do echo $l; done < f', 'for f in *.py; do wc -l "$f"; done', 'if [ -d x ]; then cd x; fi',
 '{ echo a; echo b; } > out', '(cd sub && make)', 'f() { echo in f; }', 'function g { echo g; }', '! grep -q x f', 'echo a | tee f | wc -c', 'ls |& cat', 'echo a && \\\n  echo b', 'cmd1 ||\n  cmd2']
BLOCKS = ['cat > /tmp/t.py <<EOF\nimport os\nprint(os.getcwd())\nEOF', "cat > /tmp/t.py << 'EOF'\nprint('x')\nEOF", 'python3 - <<EOF\nprint(1)\nEOF', 'cat <<-EOF\n\tindented\n\tEOF',
 'if true; then\n  echo a\nelse\n  echo b\nfi', 'for i in 1 2 3\ndo\n  echo $i\ndone', 'while false\ndo\n  :\ndone', 'case $x in\n  a) echo a;;\nesac', '{\n  echo a\n  echo b\n}',
 'f() {\n  local x=1\n  echo $x\n}', 'git commit -m "multi\nline message"', "python -c '\nimport sys\nprint(sys.argv)\n'", 'cat <<EOF | grep x\nx1\ny\nEOF', 'x=$(cat <<EOF\nhi\nEOF\n)']

ATOMS=['a','b c','"q"',"'s'",'$x','$(d)','`e`','x=1','f >g','h 2>&1','i <<EOF','j | k','! l','{ m; }','(n)','o &','p;','$(q; r)','$(s && t)','$(u | v)','$(w;)','$(y &)','$(a; b && c)','$(a && b; c)','<(z)','${v:-w}','"$(a "b")"', '\\$(x)', 'c\\\nd', 'if a; then b; fi', 'for i in 1; do :; done', 'while a; do b; done', 'until a\ndo b; done']
SEPS=[' ; ',' && ',' || ',' | ',' & ','\n','\n\n',' ;\n','&\n','|\n','&&\n','\n# c\n',' # c\n']
def nested_cmd(d=0):
    r=rng.random()
    if d<3 and r<0.3:
        t=rng.choice(['if {a}\nthen\n{b}\nfi','if {a}; then {b}; elif {a}; then {b}; else {b}; fi','for x in 1 2\ndo\n{b}\ndone','for x do {b}; done','for x; do {b}; done','while {a}\ndo\n{b}\ndone','while {a}; do\n{b}\ndone','until {a}; do {b}; done','{\n{a}\n{b}\n}','( {a}\n{b} )','f() { {a}; }','function g\n{\n{a}\n}','echo $({a})','echo `{a}`','x=$( {a}\n)','{a} <<EOF\nbody $(x)\nEOF','{a} <<-X\n\tbody\n\tX','cat <<EOF\n{a}\nEOF'])
        return t.replace('{a}',nested_cmd(d+1)).replace('{b}',nested_cmd(d+1))
    n=rng.randint(1,3)
    return rng.choice(SEPS).join(rng.choice(ATOMS) for _ in range(n))


def agent_cmd():
    lines = []
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        if r < 0.6:
            lines.append(rng.choice(SIMPLE))
        elif r < 0.85:
            lines.append(rng.choice(BLOCKS))
        elif r < 0.92:
            lines.append('# ' + rng.choice(['note', 'run tests', '']))
        else:
            lines.append('')
    return rng.choice(['\n', '\n', '\n', '\n\n', ';\n', ' \n', '\n  ', ' && ', '; ']).join(lines)


def char_cmd():
    return ''.join(rng.choice(ALPHA) for _ in range(rng.randint(1, 25)))


def nested_top():
    return rng.choice(['\n', '\n\n', ' \n', '\n  ']).join(
        nested_cmd() for _ in range(rng.randint(1, 3))
    )


rng = random.Random(17)
cases = list(HAND)
seen = set(cases)
for make, count in ((agent_cmd, 700), (nested_top, 700), (soup_cmd, 500), (char_cmd, 500)):
    made = 0
    while made < count:
        case = make().strip()
        if case and case not in seen:
            seen.add(case)
            cases.append(case)
            made += 1

results = []
for case in cases:
    try:
        results.append(split_bash_commands(case))
    except Exception as e:  # escapes split_bash_commands: OpenHands answers str(e)
        results.append({'raise': type(e).__name__, 'message': str(e)})
json.dump({'cases': cases, 'results': results}, sys.stdout)
