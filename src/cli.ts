#!/usr/bin/env node
/**
 * The `stream-agents` command (package.json "bin"): `run`, `dev` and `serve` an agent file.
 * See src/cli/ and `stream-agents --help`.
 *
 *   npm run agent        # node --conditions=stream-gemini-agents-source --import tsx src/cli.ts run agents/voice-agent.ts
 *   npm run serve        # … src/cli.ts serve agents/voice-agent.ts
 */
import { main } from './cli/main.js';

// Always an explicit exit, with the command's code: an agent's WebRTC and model connections
// are closed by then, and nothing else should keep the process alive.
process.exit(await main(process.argv.slice(2)));
