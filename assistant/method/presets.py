"""The shipped funnel presets (domain §1), as configuration data.

Each preset is written in the same shape as a team's own funnel file (YAML/TOML), so
`funnel_config.preset` runs it through the very validation a user file gets: a preset
can never hold what a team could not load. Chinese is written first and natively (short,
as on a phone checklist); English sits beside it. Keys are stable ids stored with deals:
never rename one.
"""
from __future__ import annotations

from typing import Any

Preset = dict[str, Any]


def _check(key: str, zh: str, en: str) -> dict[str, str]:
    return {"key": key, "zh": zh, "en": en}


# 004 "漏斗式销售阶段定义": stages, probabilities and 达标检查评估点 are the seed's; the
# actions spread 004's "主要的销售动作举例" over the stages as the step that leads on.
PROJECT: Preset = {
    "won": {"zh": "赢单客户", "en": "Won"},
    "stages": [
        {
            "key": "target", "zh": "目标客户", "en": "Target", "probability": "10%",
            "checklist": [
                _check("problems_known", "清楚客户要解决哪些问题", "We know which problems the customer wants solved"),
                _check("deadline_known", "清楚客户要求何时解决", "We know by when they want them solved"),
                _check("product_known", "清楚客户倾向选我司哪些产品", "We know which of our products they lean to"),
                _check("competitors_known", "清楚有无竞争对手", "We know whether competitors are involved"),
                _check("edge_known", "清楚我方方案的竞争优势", "We know our edge over the competitors"),
            ],
            "actions": {
                "zh": "收集客户信息，准备同行业案例；上门拜访，了解现状和可能的问题；"
                      "向客户确认问题，提交并商定解决方案书",
                "en": "Collect customer information and prepare same-industry cases; visit and learn their "
                      "current use and likely problems; confirm the problem, submit and agree a solution document",
            },
        },
        {
            "key": "qualified", "zh": "有效客户", "en": "Qualified", "probability": "25%",
            "checklist": [
                _check("project_approved", "最高决策者/机构已通过或签字立项",
                       "Top decision maker or board has approved the project"),
                _check("budget_ready", "资金预算已到位", "Budget is in place"),
                _check("budget_known", "清楚预算多少、谁出钱", "We know roughly how much and who pays"),
            ],
            "actions": {"zh": "产品测试，提交测试报告", "en": "Run the product test and submit the test report"},
        },
        {
            "key": "shortlisted", "zh": "入围客户", "en": "Shortlisted", "probability": "50%",
            "checklist": [
                _check("tech_edge_accepted", "客户承认我方技术优势",
                       "Customer acknowledges our technical edge over rivals"),
                _check("company_accepted", "客户认可我司（及上游厂商）",
                       "Customer accepts our company (and upstream vendor)"),
                _check("tech_barrier_set", "已给对手设立技术屏障", "We have set a technical barrier against rivals"),
            ],
            "actions": {
                "zh": "交换商务条款，做好商务公关",
                "en": "Exchange commercial terms and build the business relationship",
            },
        },
        {
            "key": "intent", "zh": "意向客户", "en": "Intent", "probability": "75%",
            "checklist": [
                _check("decision_chain_known", "1、摸清组织结构和决策链", "1. Org chart and decision chain known"),
                _check("coach_in_place", "2、有我方教练或枪手，能拿到所需信息",
                       "2. We have a coach or insider who gets us what we need"),
                _check("procurement_known", "3、了解采购流程和关键点", "3. Procurement process and key points known"),
                _check("channels_known", "4、清楚客户背后的渠道关系", "4. Channel relations behind the customer known"),
                _check("rivals_known", "5、清楚竞争对手情况", "5. Competitor situation known"),
                _check("model_accepted", "6、最高决策者或关键人认可合作模式",
                       "6. Top decision maker or a key person accepts our cooperation model"),
                _check("channel_bound", "7、客户认可的渠道已与我方绑定",
                       "7. The channel the customer accepts is bound to us"),
            ],
            "actions": {"zh": "设定并参与投标", "en": "Shape the tender and take part in it"},
        },
        {
            "key": "near_win", "zh": "接近赢单客户", "en": "Near win", "probability": "90%",
            "checklist": [
                _check("tender_spec_ours", "标书技术参数由我方撰写或引导",
                       "Tender technical parameters written or guided by us"),
                _check("scoring_ours", "评分标准由我方制定或集成商由我方选定",
                       "Scoring set by us, or we chose the integrator"),
                _check("scores_estimated", "已估算我方和对手的得失分", "We have estimated our and rivals' scores"),
                _check("evaluators_known", "已拿到评标专家名单", "We have the list of evaluators"),
                _check("bid_won", "已中标，渠道已拿到中标通知书", "Bid won, the channel holds the award notice"),
            ],
            "actions": {"zh": "签订合同，实施方案", "en": "Sign the contract and implement"},
        },
    ],
}

# 001 (four stages): entry elements as check points, 001's tasks as actions.
FOUR_STAGE: Preset = {
    "won": {"zh": "签约", "en": "Won"},
    "stages": [
        {
            "key": "verify", "zh": "验证", "en": "Verify", "probability": "10%",
            "checklist": [
                _check("credit_checked", "客户通过信用调查", "Customer passed a credit check"),
                _check("need_real", "客户需求是现实的", "The need is real"),
                _check("product_fits", "我司产品基本吻合", "Our product basically fits"),
                _check("met_in_person", "已与客户当面沟通", "We have met the customer face to face"),
            ],
            "actions": {
                "zh": "展示我司代表性产品和资料；拿到客户组织架构和采购流程；"
                      "确定使用者、影响者、决策者、购买者，提交《基本事实卡》",
                "en": "Show our reference products and materials; obtain the org chart and procurement process; "
                      "identify user, influencer, decision maker and buyer, and submit the basic fact card",
            },
        },
        {
            "key": "develop", "zh": "开发", "en": "Develop", "probability": "30%",
            "checklist": [
                _check("buyer_supports", "采购人员认同并支持我方", "The purchaser recognises and supports us"),
                _check("focus_found", "找到客户本次采购的关注点", "We found the customer's focus for this purchase"),
                _check("proposal_accepted", "服务方案得到客户认可", "Our service proposal is accepted"),
                _check("rivals_countered", "找到对手优缺点，已有针对性措施",
                       "Competitor strengths and weaknesses found, counter-measures ready"),
                _check("guide_found", "找到指导员", "We found an inside guide"),
            ],
            "actions": {
                "zh": "找到二级目标点（指导员）；找到客户支持和不支持对手的点，形成针对性措施；邀请决策者参观样板",
                "en": "Find the second-level guide; find where the customer favours or rejects rivals and "
                      "plan counter-measures; invite the decision maker to see a reference site",
            },
        },
        {
            "key": "propose", "zh": "提案", "en": "Propose", "probability": "50%",
            "checklist": [
                _check("funding_clear", "客户资金来源明确", "The funding source is clear"),
                _check("tech_met", "技术指标我司产品全满足", "Our product meets every technical requirement"),
                _check("plan_approved", "采购计划已获批准", "The purchase plan is approved"),
            ],
            "actions": {
                "zh": "给审批决策者演示产品；完成投资回报分析；请决策者实地看样板效果",
                "en": "Demo to the approving decision maker; complete the ROI analysis; "
                      "have the decision maker see the reference site",
            },
        },
        {
            "key": "close", "zh": "成交", "en": "Close", "probability": "80%",
            "checklist": [
                _check("decision_stated", "采购决策人已明确表态",
                       "The purchase decision maker is identified and has stated a position"),
                _check("advantage_set", "已确立我司竞争优势", "Our competitive advantage is established"),
                _check("terms_accepted", "采购方接受我司商务条件", "The purchaser accepts our commercial terms"),
            ],
            "actions": {
                "zh": "找到决策者最看重的两个价值点，就我司优势与其达成一致；"
                      "决策者向生产/物资口传达内定信号；采购方接受报价",
                "en": "Find the decision maker's two most valued points and agree our advantage with them; "
                      "have the signal passed to the operations side; get our quotation accepted",
            },
        },
    ],
}

# 000 (weekly report) names the six steps but gives no probabilities: 5/10/25/50/75% are a
# product decision, chosen to rise like the other presets and keep 成交 as the won state.
SIX_STEP: Preset = {
    "won": {"zh": "成交", "en": "Closed"},
    "stages": [
        {
            "key": "prospect", "zh": "潜在客户", "en": "Prospect", "probability": "5%",
            "checklist": [
                _check("need_exists", "有购买需求", "Has a purchase need"),
                _check("contact_known", "有联系人和联系方式", "We have a contact person and their details"),
            ],
            "actions": {"zh": "了解需求，约初次沟通", "en": "Learn the need and book a first conversation"},
        },
        {
            "key": "first_contact", "zh": "初步接触", "en": "First contact", "probability": "10%",
            "checklist": [
                _check("talked", "已初步沟通（电话或拜访）", "First conversation held (call or visit)"),
                _check("interested", "客户愿意进一步了解", "The customer wants to know more"),
            ],
            "actions": {"zh": "深入沟通，确认需求和痛点", "en": "Dig deeper and confirm the need and pain points"},
        },
        {
            "key": "need_confirmed", "zh": "需求确认", "en": "Need confirmed", "probability": "25%",
            "checklist": [
                _check("need_confirmed", "客户确认了需求和痛点", "The customer confirmed the need and pain points"),
                _check("budget_timing_known", "了解预算和时间", "Budget and timing known"),
                _check("decision_maker_known", "知道谁拍板", "We know who decides"),
            ],
            "actions": {"zh": "针对需求提出方案", "en": "Propose a solution that fits the need"},
        },
        {
            "key": "proposal", "zh": "方案提出", "en": "Proposal", "probability": "50%",
            "checklist": [
                _check("proposal_sent", "已提交方案", "Proposal submitted"),
                _check("proposal_accepted", "客户认可方案", "The customer accepts the proposal"),
            ],
            "actions": {
                "zh": "按反馈调整方案，提交报价",
                "en": "Adjust the proposal to the feedback and send a quotation",
            },
        },
        {
            "key": "negotiation", "zh": "报价洽谈", "en": "Negotiation", "probability": "75%",
            "checklist": [
                _check("quote_sent", "已报价", "Quotation submitted"),
                _check("terms_discussed", "正在谈价格和条款", "Price and terms under negotiation"),
            ],
            "actions": {"zh": "谈妥价格和条款，签约", "en": "Settle price and terms, and sign"},
        },
    ],
}

# 003 (insurance training): the first two probabilities (5%, 10%) are a product decision;
# 25/50/90% are the seed's own stage names.
PROSPECT_LADDER: Preset = {
    "won": {"zh": "成交", "en": "Closed"},
    "stages": [
        {
            "key": "opportunity", "zh": "销售机会", "en": "Opportunity", "probability": "5%",
            "actions": {"zh": "打电话或发邮件，约初次会晤", "en": "Call or email and fix a first meeting"},
        },
        {
            "key": "first_meeting", "zh": "初次会晤", "en": "First meeting", "probability": "10%",
            "checklist": [
                _check("meeting_fixed", "已约定初次会晤日期（电话销售：对方接了第二个有效电话）",
                       "First meeting date fixed (phone sales: they took our second effective call)"),
            ],
            "actions": {"zh": "见面会晤，争取实质进展", "en": "Hold the meeting and win real progress"},
        },
        {
            "key": "prospect_25", "zh": "准客户25%", "en": "Prospect 25%", "probability": "25%",
            "checklist": [
                _check("real_progress", "有实质进展，不只是谈得愉快", "Real progress, not just a friendly talk"),
            ],
            "actions": {
                "zh": "确认决策人、方案、预算、时间和下一步；没有行动或承诺就退回前一阶段",
                "en": "Confirm decision maker, proposal, budget, timeline and next step; "
                      "with no action or commitment, move it back a stage",
            },
        },
        {
            "key": "prospect_50", "zh": "准客户50%", "en": "Prospect 50%", "probability": "50%",
            "checklist": [
                _check("right_person", "对方是真正的决策人", "Right person: the real decision maker"),
                _check("proposal_fits", "方案符合对方需要", "The proposal fits"),
                _check("budget_ok", "预算可接受，已谈过价格", "Budget acceptable, pricing basics discussed"),
                _check("timeline_fits", "时间符合销售周期，有决定和启动日期",
                       "Timeline fits the sales cycle, with decision and start dates"),
                _check("next_step_agreed", "已约定下一步", "Further progress agreed"),
            ],
            "actions": {"zh": "争取口头承诺", "en": "Ask for a verbal yes"},
        },
        {
            "key": "prospect_90", "zh": "准客户90%", "en": "Prospect 90%", "probability": "90%",
            "checklist": [
                _check("verbal_yes", "对方已口头答应（敢拿工资打赌）", "Verbal yes (would you bet your salary on it?)"),
            ],
            "actions": {"zh": "签约成交", "en": "Sign and close"},
        },
    ],
}

# 000 (quota): the seed gives 25/50/75%; 10% for the top of the funnel is a product decision.
QUOTA_LADDER: Preset = {
    "won": {"zh": "成交", "en": "Won"},
    "stages": [
        {
            "key": "potential", "zh": "潜在用户", "en": "Potential buyer", "probability": "10%",
            "checklist": [_check("need_exists", "有购买需求", "Has a purchase need")],
            "actions": {
                "zh": "介绍产品，争取列入候选清单",
                "en": "Present our product and get onto the candidate list",
            },
        },
        {
            "key": "candidate", "zh": "候选清单", "en": "Candidate list", "probability": "25%",
            "checklist": [_check("on_candidates", "我司产品已列入候选清单", "Our product is on the candidate list")],
            "actions": {
                "zh": "突出差异，争取列入优选清单",
                "en": "Show our difference and get onto the preferred list",
            },
        },
        {
            "key": "preferred", "zh": "优选清单", "en": "Preferred list", "probability": "50%",
            "checklist": [
                _check("on_preferred", "已列入优选清单（二选一）", "On the preferred list (one of two brands)"),
            ],
            "actions": {"zh": "胜过另一品牌，争取内定", "en": "Beat the other brand and get the decision"},
        },
        {
            "key": "formalities", "zh": "手续待落实", "en": "Formalities pending", "probability": "75%",
            "checklist": [
                _check("decided", "基本确定买我司产品", "Purchase of our product as good as decided"),
                _check("formalities_pending", "只差手续", "Only formalities are pending"),
            ],
            "actions": {"zh": "跟进手续，尽快签约", "en": "Follow up the formalities and sign"},
        },
    ],
}

PRESETS: dict[str, Preset] = {
    "project": PROJECT,
    "four_stage": FOUR_STAGE,
    "six_step": SIX_STEP,
    "prospect_ladder": PROSPECT_LADDER,
    "quota_ladder": QUOTA_LADDER,
}
