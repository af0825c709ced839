# Drives an action execution server with OpenHands' own client (ActionExecutionClient, openhands-ai
# 0.62.0) through a fixed session, and prints one JSON record per step: the observation as
# OpenHands' client decoded it (event_to_dict), or the client's own result for the file
# endpoints. Read from stdin: {"url", "key", "workdir", "upload_dir"}. Used by
# tests/peer/runtime_client_peer_test.ts against velora's runtime server and, as the reference,
# OpenHands' own action_execution_server.
import io
import json
import os
import sys
import zipfile

from openhands.core.config import OpenHandsConfig
from openhands.core.config.mcp_config import MCPStdioServerConfig
from openhands.events import EventStream
from openhands.events.action import (
    CmdRunAction,
    FileEditAction,
    FileReadAction,
    FileWriteAction,
)
from openhands.events.action.files import FileEditSource, FileReadSource
from openhands.events.serialization import event_to_dict
from openhands.llm.llm_registry import LLMRegistry
from openhands.runtime.impl.action_execution.action_execution_client import (
    ActionExecutionClient,
)
from openhands.storage.memory import InMemoryFileStore

params = json.load(sys.stdin)
WS = params['workdir']


class Client(ActionExecutionClient):
    """The client with a fixed server address (what DockerRuntime computes from its container)."""

    def __init__(self, url, key, **kwargs):
        self._url = url
        super().__init__(**kwargs)
        self.session.headers['X-Session-API-Key'] = key

    @property
    def action_execution_server_url(self):
        return self._url

    async def connect(self):
        pass


config = OpenHandsConfig()
config.sandbox.timeout = 120
client = Client(
    params['url'],
    params['key'],
    config=config,
    event_stream=EventStream('peer', InMemoryFileStore()),
    llm_registry=LLMRegistry(config),
    sid='peer',
)

steps = []


def record(name, fn):
    try:
        result = fn()
        steps.append({'step': name, 'accepted': True, 'result': result})
    except Exception as e:  # a step the client could not complete
        steps.append(
            {'step': name, 'accepted': False, 'error': f'{type(e).__name__}: {e}'}
        )


def act(action):
    obs = client.run_action(action)
    return event_to_dict(obs)


def run(command, timeout=None, blocking=False, is_input=False, **kwargs):
    action = CmdRunAction(command=command, is_input=is_input, **kwargs)
    if timeout is not None:
        action.set_hard_timeout(timeout, blocking=blocking)
    return lambda: act(action)


def edit(command, path, **kwargs):
    return lambda: act(
        FileEditAction(
            path=path, command=command, impl_source=FileEditSource.OH_ACI, **kwargs
        )
    )


def view(path, view_range=None):
    return lambda: act(
        FileReadAction(
            path=path, impl_source=FileReadSource.OH_ACI, view_range=view_range
        )
    )


def until_done(command, first_timeout=None, **kwargs):
    """Runs a command, then sends empty commands until it completes (all observations)."""

    def go():
        out = [act_cmd(command, first_timeout, **kwargs)]
        for _ in range(30):
            if out[-1]['extras']['metadata']['exit_code'] != -1:
                break
            out.append(act_cmd('', 3, blocking=True))
        return out

    return go


def act_cmd(command, timeout=None, blocking=False, is_input=False):
    action = CmdRunAction(command=command, is_input=is_input)
    if timeout is not None:
        action.set_hard_timeout(timeout, blocking=blocking)
    return act(action)


def zip_entries(path):
    with zipfile.ZipFile(path) as z:
        return sorted((i.filename, z.read(i.filename).decode()) for i in z.infolist())


def upload_and_list():
    src = os.path.join(params['upload_dir'], 'one.txt')
    with open(src, 'w') as f:
        f.write('uploaded\n')
    client.copy_to(src, f'{WS}/up')
    return client.list_files(f'{WS}/up')


def upload_dir():
    tree = os.path.join(params['upload_dir'], 'tree')
    os.makedirs(os.path.join(tree, 'inner'), exist_ok=True)
    with open(os.path.join(tree, 'a.txt'), 'w') as f:
        f.write('a\n')
    with open(os.path.join(tree, 'inner', 'b.txt'), 'w') as f:
        f.write('b\n')
    client.copy_to(tree, f'{WS}/up', recursive=True)
    return client.list_files(f'{WS}/up/tree')


def download():
    path = client.copy_from(f'{WS}/up/tree')
    try:
        return zip_entries(path)
    finally:
        os.unlink(path)


def mcp_config():
    extra = [MCPStdioServerConfig(name='fetch', command='uvx', args=['mcp-server-fetch'])]
    cfg = client.get_mcp_config(extra)
    return {
        'sse_servers': [s.url.replace(params['url'], '<URL>') for s in cfg.sse_servers],
        'stdio_servers': [s.name for s in cfg.stdio_servers],
    }


record('alive', lambda: client.check_if_alive() or 'ok')
record('pwd', run('pwd'))
record('mkdir and cd', run('mkdir -p sub && cd sub && pwd'))
record('cwd persists', run('pwd'))
record('cd back', run(f'cd {WS}'))
record('export', run('export VELORA_PEER=42'))
record('variable persists', run('echo $VELORA_PEER'))
record('mkdir', run('mkdir -p d1/d2'))
record('false', run('false'))
record('last status', run('echo $?'))
record('subshell exit code', run('(exit 7)'))
record('chained with &&', run('echo a && echo b'))
record('chained with ;', run('echo a; echo b'))
record('multi-line refused', run('echo a\necho b'))
record('multi-line with comment refused', run('# list files\nls -1'))
record('blank line refused', run('echo one\n\necho two'))
record('multi-line for loop', run('for i in 1 2 3\ndo\n  echo $i\ndone'))
record('multi-line if', run('if true; then\n  echo yes\nfi'))
record('heredoc', run('cat <<EOF\nline 1\nline 2\nEOF'))
record('quoted heredoc', run("cat <<'EOF'\n$HOME stays\nEOF"))
record('heredoc then command refused', run('cat <<EOF > h.txt\nx\nEOF\ncat h.txt'))
record('string with newline', run('echo "a\nb"'))
record('background job notice', run('sleep 1 &'))
record('job done notice', run('sleep 2; echo after'))
record('no output', run('true'))
record('no trailing newline', run('printf partial'))
record('stderr', run('echo oops >&2'))
record('command not found', run('velora_no_such_command'))
record('cd error', run('cd /velora/no/such/dir'))
record('unicode', run('echo "héllo ✓"'))
record('long output is cut in the middle', run('seq 1 8000'))
record('hidden command', run('echo secret', hidden=True))
record('empty command, nothing running', run(''))
record('input, nothing running', run('anything', is_input=True))
record('soft timeout', run('sleep 6; echo slept', timeout=30))
record('new command while running', run('echo other', timeout=30))
record('empty command continues', until_done('', 5, blocking=True))
record('prompt for input', run('read -p "name? " NAME; echo "hi $NAME"', timeout=30))
record('send input', run('bob', is_input=True, timeout=10))
record('long command', run('sleep 60', timeout=30))
record('C-c', run('C-c', is_input=True, timeout=10))
record('status after C-c', run('echo $?'))
record('hard timeout', run('sleep 30', timeout=2, blocking=True))
record('C-c after hard timeout', run('C-c', is_input=True, timeout=10))
record('write new file', lambda: act(FileWriteAction(path='f.txt', content='hello\nworld')))
record('read file', lambda: act(FileReadAction(path='f.txt')))
record('read lines', lambda: act(FileReadAction(path='f.txt', start=1, end=2)))
record('write lines', lambda: act(FileWriteAction(path='f.txt', content='HELLO', start=0, end=1)))
record('cat written file', run('cat f.txt'))
record('read missing file', lambda: act(FileReadAction(path='missing.txt')))
record('read directory', lambda: act(FileReadAction(path=WS)))
record('editor create', edit('create', f'{WS}/e.py', file_text='def f():\n    return 1\n'))
record('editor create existing', edit('create', f'{WS}/e.py', file_text='x\n'))
record('editor view', view(f'{WS}/e.py'))
record('editor view range', view(f'{WS}/e.py', [2, 2]))
record('editor str_replace', edit('str_replace', f'{WS}/e.py', old_str='return 1', new_str='return 2'))
record('editor str_replace missing', edit('str_replace', f'{WS}/e.py', old_str='nope', new_str='x'))
record('editor insert', edit('insert', f'{WS}/e.py', insert_line=2, new_str='# end'))
record('editor undo', edit('undo_edit', f'{WS}/e.py'))
record('editor relative path', view('e.py'))
record('editor view directory', view(f'{WS}/sub'))
record('static command', run('pwd; whoami', is_static=True, cwd=f'{WS}/sub', timeout=30))
record('static multi-line refused', run('echo a\necho b', is_static=True, cwd=WS, timeout=30))
record('upload file', upload_and_list)
record('upload directory', upload_dir)
record('download directory', download)
record('list workdir', lambda: client.list_files(WS))
record('list relative', lambda: client.list_files('up'))
record('list missing', lambda: client.list_files(f'{WS}/nope'))
record('mcp config', mcp_config)
record('final pwd', run('pwd'))

from openhands.runtime.utils.bash_constants import TIMEOUT_MESSAGE_TEMPLATE  # noqa: E402

json.dump({'steps': steps, 'timeout_message': TIMEOUT_MESSAGE_TEMPLATE}, sys.stdout)
