// The VS Code client of `seedance lsp`: starts the server (the command from the
// `seedance.server.command` setting) over stdio for .shot files.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("seedance");
  const command = config.get("server.command", "seedance");
  const args = config.get("server.args", ["lsp"]);
  return { command, args, transport: TransportKind.stdio };
}

async function start(context) {
  client = new LanguageClient(
    "seedance",
    "Seedance storyboards",
    serverOptions(),
    {
      documentSelector: [{ language: "shot" }],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.shot") },
    },
  );
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `seedance lsp did not start (${err}). Set "seedance.server.command" to the seedance ` +
        "command, e.g. .venv/bin/seedance (pip install seedance-dsl).",
    );
  }
}

async function activate(context) {
  await start(context);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("seedance.server")) {
        if (client) await client.stop();
        await start(context);
      }
    }),
  );
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
