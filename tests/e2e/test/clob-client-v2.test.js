// @polymarket/clob-client-v2 1.1.0 (V2 signed orders) against a fresh Polysim server.
import { clientV2 } from "../lib/clients.js";
import { defineScenarios } from "../lib/scenarios.js";

defineScenarios(clientV2);
