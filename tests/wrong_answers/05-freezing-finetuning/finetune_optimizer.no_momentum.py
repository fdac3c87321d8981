# Right groups, but plain SGD without momentum.
def finetune_optimizer(model, head, lr, head_lr_mult=10.0, weight_decay=1e-4):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups.setdefault((id(p) in head_ids, name.endswith("bias")), []).append(p)
    return torch.optim.SGD([{"params": ps, "lr": lr * head_lr_mult if h else lr,
                             "weight_decay": 0.0 if b else weight_decay} for (h, b), ps in groups.items()], lr=lr)
