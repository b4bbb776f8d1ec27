import { ConflictError } from "@/lib/errors";

/**
 * The bot's organization is suspended (by its agency): its bots cannot spend credits, so its visitors must
 * not be sold any (409). Names the bot only; why the seller is suspended is not the visitor's business.
 */
export class SellerSuspendedError extends ConflictError {
  constructor(botId: string) {
    super("seller_suspended", "This bot is not selling credits right now", { bot_id: botId });
  }
}
