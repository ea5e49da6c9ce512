// @polymarket/clob-client 5.8.1 (V1 signed orders) against a fresh Polysim server.
import { clientV1 } from "../lib/clients.js";
import { defineScenarios } from "../lib/scenarios.js";

defineScenarios(clientV1);
